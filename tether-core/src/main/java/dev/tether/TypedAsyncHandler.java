package dev.tether;

import java.util.concurrent.CompletionStage;

/**
 * A named handler that takes a decoded value and finishes later: registered with {@link
 * TetherNode#handleAsync(String, Class, TypedAsyncHandler)}. The request is decoded by the node's codec on the
 * handler's thread before this runs; the stage's value is encoded as the reply of a {@link CallKind#REQUEST} on the
 * thread that completes it. Order per stream holds as for an {@link AsyncHandler}: the next call of the same stream
 * starts when the stage completed.
 *
 * @param <T> the request's type
 * @param <R> the reply's type
 */
@FunctionalInterface
public interface TypedAsyncHandler<T, R> {
    /**
     * Starts handling one call. A stage completed exceptionally, a null stage or an exception thrown here fail the
     * call exactly as a {@link TypedHandler} throwing does; a reply that cannot be encoded fails it with a {@link
     * CodecException} reported to the caller.
     */
    CompletionStage<R> handle(T request, CallContext call) throws Exception;
}
