package dev.tether.internal.call;

import dev.tether.AsyncHandler;
import dev.tether.Handler;
import dev.tether.HandlerOptions;
import dev.tether.TypeRef;
import dev.tether.TypedAsyncHandler;
import dev.tether.TypedHandler;
import dev.tether.spi.Codec;

/**
 * A handler given in the configuration, registered before the node starts delivering, so that calls stored while
 * the node was down never meet a node without it. Exactly one of {@code sync} and {@code async} is set.
 */
public record HandlerSpec(String name, HandlerOptions options, Handler sync, AsyncHandler async) {
    /**
     * A typed handler as a byte handler that decodes requests and encodes replies with {@code codec} (null: the one
     * on the class path), exactly as {@code TetherNode.handle(name, type, options, handler)} registers it.
     *
     * @throws dev.tether.CodecException if {@code codec} is null and no codec is on the class path
     */
    public static <T, R> HandlerSpec typed(
            String name, TypeRef<T> type, HandlerOptions options, TypedHandler<T, R> handler, Codec codec) {
        return new HandlerSpec(name, options, Typed.handler(name, type, Codecs.require(codec), handler), null);
    }

    /** The asynchronous form of {@link #typed}. */
    public static <T, R> HandlerSpec typedAsync(
            String name, TypeRef<T> type, HandlerOptions options, TypedAsyncHandler<T, R> handler, Codec codec) {
        return new HandlerSpec(name, options, null, Typed.asyncHandler(name, type, Codecs.require(codec), handler));
    }
}
