package dev.tether;

/** A frame received from a peer is malformed or unexpected. The frame is dropped and counted; the node keeps running. */
public class ProtocolException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public ProtocolException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
