package dev.tether;

/**
 * A named handler of typed calls: registered with {@link TetherNode#handle(String, Class, TypedHandler)}, it gets
 * the request decoded by the node's {@link dev.tether.spi.Codec} and returns the reply, which the codec encodes.
 * Threading and order are those of a {@link Handler}.
 *
 * @param <T> the request's type
 * @param <R> the reply's type
 */
@FunctionalInterface
public interface TypedHandler<T, R> {
    /**
     * Handles one call. {@code request} is null when the caller sent null. The returned value is the reply of a
     * {@link CallKind#REQUEST} (null allowed) and ignored for the other kinds. Throwing fails the call as for a
     * {@link Handler}.
     */
    R handle(T request, CallContext call) throws Exception;
}
