package dev.tether.internal.call;

import dev.tether.AsyncHandler;
import dev.tether.CallKind;
import dev.tether.CodecException;
import dev.tether.Handler;
import dev.tether.Reply;
import dev.tether.TypeRef;
import dev.tether.TypedAsyncHandler;
import dev.tether.TypedHandler;
import dev.tether.spi.Codec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Typed calls over byte calls: a {@link TypedHandler} becomes a {@link Handler} that decodes and encodes, a typed
 * request a byte request whose reply is decoded. A codec failure is a {@link CodecException} on the side that
 * failed; on the called side it becomes the error reply like any handler failure.
 */
final class Typed {
    /** The type replies are encoded with: their values' own classes. */
    static final TypeRef<Object> RUNTIME_TYPE = TypeRef.of(Object.class);

    private Typed() {}

    static <T, R> Handler handler(String name, TypeRef<T> type, Codec codec, TypedHandler<T, R> handler) {
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(handler, "handler");
        return call -> {
            T request = decode(
                    codec, call.payloadBytes(), type, "the request to handler '" + name + "' from " + call.from());
            R result = handler.handle(request, call);
            if (call.kind() != CallKind.REQUEST) return null;
            return encode(codec, result, "the reply of handler '" + name + "'");
        };
    }

    /** The asynchronous form of {@link #handler}: the stage's value encoded as the reply when it completes. */
    static <T, R> AsyncHandler asyncHandler(
            String name, TypeRef<T> type, Codec codec, TypedAsyncHandler<T, R> handler) {
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(handler, "handler");
        return call -> {
            T request = decode(
                    codec, call.payloadBytes(), type, "the request to handler '" + name + "' from " + call.from());
            CompletionStage<R> stage = handler.handle(request, call);
            if (stage == null) return null; // failed by the node as any null stage
            return stage.thenApply(result -> call.kind() != CallKind.REQUEST
                    ? null
                    : encode(codec, result, "the reply of handler '" + name + "'"));
        };
    }

    /** {@code value} encoded; what failed is named by {@code what}. */
    static byte[] encode(Codec codec, Object value, String what) {
        try {
            return codec.encode(value, RUNTIME_TYPE);
        } catch (CodecException e) {
            throw new CodecException(
                    what + " could not be encoded by codec " + codec.name() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) { // a codec breaking its rule 3: still a codec failure for the caller
            throw new CodecException(what + " could not be encoded by codec " + codec.name() + ": " + e, e);
        }
    }

    static <T> T decode(Codec codec, byte[] bytes, TypeRef<T> type, String what) {
        try {
            return codec.decode(bytes, type);
        } catch (CodecException e) {
            throw new CodecException(
                    what + " could not be decoded as " + type + " by codec " + codec.name() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CodecException(
                    what + " could not be decoded as " + type + " by codec " + codec.name() + ": " + e, e);
        }
    }

    /**
     * {@code typed} completes with {@code raw}'s reply decoded, or its failure; cancelling {@code typed}, or completing
     * it otherwise before {@code raw} ({@code orTimeout}), cancels {@code raw}, so that the withdrawal reaches the
     * called node.
     */
    static <R> CompletableFuture<R> decoded(
            CompletableFuture<Reply> raw, CompletableFuture<R> typed, Codec codec, TypeRef<R> type, CallImpl c) {
        raw.whenComplete((reply, failure) -> {
            if (failure != null) {
                typed.completeExceptionally(failure);
                return;
            }
            try {
                typed.complete(decode(
                        codec,
                        reply.payloadBytes(),
                        type,
                        "the reply of handler '" + c.handler() + "' on " + c.peer()));
            } catch (CodecException e) {
                typed.completeExceptionally(e);
            }
        });
        return WithdrawnOnEnd.derived(typed, raw);
    }
}
