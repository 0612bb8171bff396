package dev.tether;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

/**
 * One call as its handler sees it: who called, which handler, the payload and headers, the deadline. Valid while
 * the handler runs (for an {@link AsyncHandler}, until its stage completes); its methods are thread-safe.
 */
public interface CallContext {
    /** The calling node. */
    NodeId from();

    /** The handler name the caller called. */
    String handler();

    /** What the caller expects: no reply, an empty one, or a result. */
    CallKind kind();

    /** The lane the call travelled on (the handler name unless the caller chose another). */
    String lane();

    /** Its sequence number in the stream ({@link #from()}, {@link #lane()}). */
    long seq();

    /**
     * The call's id: this node, the lane and the sequence number, the same value as the caller's {@code
     * accepted()} id and {@link Reply#requestId()}. With {@link #from()} it identifies the call uniquely.
     */
    MessageId requestId();

    /** The caller's headers (Tether's own, whose names start with {@code ':'}, are not included); never null. */
    Map<String, String> headers();

    /** A read-only view of the payload. */
    ByteBuffer payload();

    /** A copy of the payload. */
    byte[] payloadBytes();

    /**
     * The deadline, by the caller's clock: the handler is never started after it, and the caller stops waiting
     * at it. Null for a {@link CallKind#TELL} sent without a timeout.
     */
    Instant deadline();

    /**
     * Whether this call may have been handed to a handler before: a retry of a failed {@link CallKind#TELL}, or a
     * call this node may have started before a crash (see {@link Delivery#isRedelivery()}).
     */
    boolean isRedelivery();

    /** 1 for the first attempt since this node started; see {@link Delivery#attempt()}. */
    int attempt();

    /**
     * Adds a header to the reply (for {@link CallKind#SYNC} and {@link CallKind#REQUEST}; ignored for a {@link
     * CallKind#TELL}). Call it before the handler returns (or its stage completes).
     *
     * @throws IllegalArgumentException if {@code name} is empty or starts with {@code ':'} (reserved)
     */
    void replyHeader(String name, String value);

    /**
     * Whether the caller cancelled this call ({@code future.cancel(...)}) while it runs: the handler may stop early;
     * its reply, if any, is dropped by the caller. A call cancelled before it started is never handed to the
     * handler. Best effort: a cancel lost with a connection is not sent again (docs/MESSAGING.md, "Cancellation").
     */
    boolean isCancelled();

    /**
     * Runs {@code action} when the caller cancels this call: on the node thread as the cancel arrives (it must be
     * short and must not block), or at once on this thread if it is cancelled already. An exception it throws is
     * reported as a {@code TetherEvent.ApplicationError}.
     */
    void onCancel(Runnable action);
}
