package dev.tether;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * One message handed to the application. Exactly one of {@link #ack()} or {@link #nack()} takes effect;
 * later calls are ignored and return {@code false}. Until it is acknowledged, the next message of the
 * same stream is not delivered. Methods are thread-safe.
 */
public interface Delivery {
    /** The node that sent the message. */
    NodeId from();

    /** The lane it was sent on. */
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
     * True if this message may have been handed to an application before: it is being retried after a
     * failure, or was resent after a disconnect or restart before its acknowledgment was committed.
     */
    boolean isRedelivery();

    /** 1 for the first delivery on this node, then incremented by each handler failure. */
    int attempt();

    /** Marks the message processed; the stream moves on. Returns false if already settled. */
    boolean ack();

    /** Marks the attempt failed; the message is redelivered after backoff, or handled per the failure policy. */
    boolean nack();
}
