package dev.tether;

/**
 * A typed call's value could not be encoded or decoded by its {@link dev.tether.spi.Codec}: malformed or truncated
 * bytes, a value of another type, a value the codec cannot represent, or limits of the codec (nesting depth, string
 * length) exceeded. Thrown on the side that failed: by {@link Call#request(Object, Class)} when the request cannot be
 * encoded (nothing was sent), and as the failure of its future when the reply cannot be decoded. When the called node
 * cannot decode the request (or encode its handler's result), the handler is not run (or its result is lost) and the
 * caller's future fails with a {@link RemoteHandlerException} whose {@link RemoteHandlerException#remoteType()} is
 * this class's name. Also thrown when no codec is available at all.
 */
public class CodecException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the type and the problem. */
    public CodecException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the codec's underlying {@code cause}. */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
