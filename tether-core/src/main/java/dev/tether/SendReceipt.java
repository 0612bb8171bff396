package dev.tether;

import java.util.concurrent.CompletableFuture;

/**
 * The two completions of a send. {@link #accepted()} completes when the message is stored per the
 * node's {@link Durability} (from then on it survives disconnects and restarts until the receiver
 * takes care of it); it fails with {@link StoreException} or {@link QueueFullException} if nothing was
 * stored, and with {@link NodeClosedException} if the node shut down before the outcome was known (the message
 * may then have been stored, and is delivered after the next start). {@link #processed()} completes when
 * the receiver reported it
 * processed, expired or dead-lettered. It is a notification of this node's lifetime: after a restart the
 * message is still delivered, but this future is gone with the old process. The {@code processed()} future is
 * created on its first call and tracked only from then on, so sends nobody asks about cost no memory while
 * their receiver is away.
 */
public interface SendReceipt {
    /** Completes with the message's id once it is stored; see the class comment for its failures. */
    CompletableFuture<MessageId> accepted();

    /** Completes with how the receiver took care of the message, if that happens while this node runs. */
    CompletableFuture<Outcome> processed();
}
