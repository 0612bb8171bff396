package dev.tether;

/** How the receiver took care of a message; the value of {@link SendReceipt#processed()}. */
public enum Outcome {
    /** The receiver's application acknowledged it. */
    PROCESSED,
    /** Its time to live ran out before it was processed; the receiver skipped it and reported it. */
    EXPIRED,
    /** The handler failed too often; the receiver moved it to its dead-letter queue. */
    DEAD_LETTERED,
    /** The message was a call of a named handler that the receiver does not have; it was not executed. */
    NO_SUCH_HANDLER,
    /**
     * The sender withdrew it (its caller cancelled a call) before the receiver handed it to a handler; it was not
     * executed.
     */
    CANCELLED,
    /**
     * The message was volatile and is lost: its receiver's process ended (or restarted) before acknowledging it. It
     * was processed at most once, perhaps not at all; it is not sent again.
     */
    LOST,
    /**
     * An operator purged it from the sender's outbox ({@code NodeManagement.purge}) before the receiver acknowledged
     * it; it is not sent again. The receiver may have been handling it already.
     */
    PURGED,
    /**
     * The message was for an endpoint (an agent of the bus, docs/BUS-DESIGN.md) the receiver does not have; it was not
     * executed. Reported by protocol version 3 receivers (OUTCOME 5).
     */
    NO_SUCH_ENDPOINT,
    /**
     * The message was dropped without being processed: by a routing rule of the receiver, or by its sender's overflow
     * policy before it was transmitted; also a channel join the receiver's allow-list refuses (the join then fails). Reported by protocol version 3 (OUTCOME 6, the DROPPED marker).
     */
    DROPPED
}
