package dev.tether;

/**
 * A named handler that returns its result: registered with {@link TetherNode#handle(String, Handler)}, called by
 * other nodes with {@link TetherNode#call}. Where it runs is set by {@link HandlerOptions}; calls arriving on one
 * stream (one caller, one lane) are handed to it one at a time, in order.
 */
@FunctionalInterface
public interface Handler {
    /**
     * Handles one call. For a {@link CallKind#REQUEST} the returned bytes are the reply's payload (null: empty);
     * for the other kinds they are ignored. Throwing fails the call: a {@link CallKind#SYNC} or {@link
     * CallKind#REQUEST} caller gets a {@link RemoteHandlerException} with the exception's type and message (the
     * call is not retried); a {@link CallKind#TELL} is retried per the node's {@link RetryPolicy}, then its
     * {@link FailurePolicy} applies.
     */
    byte[] handle(CallContext call) throws Exception;
}
