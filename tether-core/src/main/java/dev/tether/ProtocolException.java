package dev.tether;

/** A frame received from a peer is malformed or unexpected. The frame is dropped and counted; the node keeps running. */
public class ProtocolException extends TetherException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
