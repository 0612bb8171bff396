package dev.tether.internal.runtime;

import dev.tether.Delivery;
import dev.tether.Outcome;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.StreamKey;

/**
 * A delivery handed to a {@link MessageConsumer}: the application's view ({@link Delivery}) plus the ways a pattern
 * layer settles a message. The first settlement wins; later ones return false. Thread-safe.
 */
public interface RoutedDelivery extends Delivery {
    /** The inbound stream the message arrived on. */
    StreamKey key();

    /** The store epoch of the sender incarnation that sent the message. */
    long senderEpoch();

    /** The message's deadline (its time to live) in epoch milliseconds by the sender's clock; 0 for none. */
    long expiresAtMillis();

    /** Whether the deadline has passed by this node's clock now. */
    boolean expiredNow();

    /**
     * Acknowledges the message together with {@code effect}, a message this node sends as a consequence (a reply):
     * the effect is appended to its outbound stream in the same store batch as the cursor that records this message
     * processed, so after a crash either both are stored or neither ({@link Effect}).
     */
    boolean ackWith(Effect effect);

    /**
     * Answers the message with {@code reply} without having processed it (no handler or endpoint of its name here):
     * acknowledged and answered as by {@link #ackWith}, but its idempotency key is not recorded, so the caller can
     * retry it with the same key once the handler is there (docs/MESSAGING.md, Idempotency keys).
     */
    boolean refuseWith(Effect reply);

    /** Fails this attempt: retried per the node's retry policy, then its failure policy applies. */
    boolean fail(String reason);

    /**
     * Settles the message as expired without handing it to anyone (its deadline passed while it waited): reported
     * as {@code TetherEvent.Expired}, and the sender's {@code processed()} completes with {@link Outcome#EXPIRED}.
     */
    boolean expire();

    /**
     * Settles the message without processing it, with {@code outcome} reported to the sender ({@link
     * Outcome#NO_SUCH_HANDLER}, {@link Outcome#NO_SUCH_ENDPOINT}, {@link Outcome#CANCELLED}: its sender withdrew it
     * before it was started; {@link Outcome#DROPPED}: a routing rule dropped it, or this node refuses it, as a
     * publisher refuses a channel join its allow-list does not let read).
     */
    boolean settleWithout(Outcome outcome);

    /**
     * Moves the message to the dead-letter queue with {@code reason} without processing it and without retries,
     * whatever the failure policy (a routing rule's {@code deadLetter}); the sender's {@code processed()} completes
     * with {@link Outcome#DEAD_LETTERED}.
     */
    boolean deadLetter(String reason);
}
