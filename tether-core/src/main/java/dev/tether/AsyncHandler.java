package dev.tether;

import java.util.concurrent.CompletionStage;

/**
 * A named handler that finishes later: registered with {@link TetherNode#handleAsync(String, AsyncHandler)}. The
 * call counts as handled when the returned stage completes (on any thread); until then the next call of the same
 * stream (one caller, one lane) waits, so order per stream holds as for a {@link Handler}.
 */
@FunctionalInterface
public interface AsyncHandler {
    /**
     * Starts handling one call. The stage's value is the reply's payload for a {@link CallKind#REQUEST} (null:
     * empty). A stage completed exceptionally, a null stage or an exception thrown here fail the call exactly as a
     * {@link Handler} throwing does.
     */
    CompletionStage<byte[]> handle(CallContext call) throws Exception;
}
