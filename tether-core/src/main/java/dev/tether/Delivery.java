package dev.tether;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

/**
 * One message handed to the application. Exactly one of {@link #ack()} or {@link #nack()} takes effect;
 * later calls are ignored and return {@code false}. Until it is acknowledged, the next message of the
 * same stream is not delivered. Methods are thread-safe.
 */
public interface Delivery {
    /** The node that sent the message. */
    NodeId from();

    /**
     * The lane it was sent on; for a volatile message ({@code OutboundMessage.Builder.volatileDelivery()}) the volatile
     * lane standing for it, {@code _v.<lane>}.
     */
    String lane();

    /** Its sequence number in the stream (from, lane): gap-free, starting at 1 for a new sender store. */
    long seq();

    /** Headers given at send; never null. */
    Map<String, String> headers();

    /** A read-only view of the payload. */
    ByteBuffer payload();

    /** A copy of the payload. */
    byte[] payloadBytes();

    /**
     * Whether this message may have been handed to the application before. If false, it never was, in any
     * lifetime of this node on its store: an application may skip its idempotency checks for it. If true, it
     * is a retry after a failure or {@link #nack()}, or a message this node may have handed out before a
     * restart (its acknowledgment was not committed yet), or one it cannot tell apart from such a message:
     * after a restart, or on a stream it first hears of, messages the sender had transmitted or stored before
     * (docs/PROTOCOL.md, "Redelivery flag"). On a stream a running node already knows, reconnects and sender
     * restarts do not set it. Each delivery for which it is true also raises one {@link
     * TetherEvent.Redelivery} and counts in {@link StreamStats#redelivered()}.
     */
    boolean isRedelivery();

    /**
     * 1 for the first delivery of this message since this node started, then incremented by each failure or
     * nack. Starts again at 1 after a restart, or after a {@link TetherEvent.Resync} of its stream.
     */
    int attempt();

    /** Marks the message processed; the stream moves on. Returns false if already settled. */
    boolean ack();

    /** Marks the attempt failed; the message is redelivered after backoff, or handled per the failure policy. */
    boolean nack();

    /**
     * As {@link #nack()}, but the message is redelivered {@code retryAfter} from now instead of after the retry
     * policy's backoff (JetStream's "nak with delay"). The attempt counts like any failure: once the retry
     * policy's attempts are used up, the failure policy applies at once. Meanwhile the stream waits, as after any
     * failure: later messages of the stream are not delivered before this one. A message whose time to live runs
     * out during the pause expires. Returns false if already settled.
     *
     * @throws IllegalArgumentException if {@code retryAfter} is negative
     */
    boolean nack(Duration retryAfter);
}
