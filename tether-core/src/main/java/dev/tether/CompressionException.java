package dev.tether;

/**
 * A {@link dev.tether.spi.Compressor} could not compress or decompress: malformed or truncated input, or output that
 * would exceed the room it was given (a decompression bomb). A node that meets one in a received frame drops the frame
 * as a protocol error and keeps running.
 */
public class CompressionException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the codec and the problem. */
    public CompressionException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public CompressionException(String message, Throwable cause) {
        super(message, cause);
    }
}
