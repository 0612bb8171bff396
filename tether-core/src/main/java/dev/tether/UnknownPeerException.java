package dev.tether;

/** The destination is not one of the node's configured peers, or is the node itself. */
public class UnknownPeerException extends TetherException {
    private static final long serialVersionUID = 1L;

    public UnknownPeerException(String message) {
        super(message);
    }

    public UnknownPeerException(String message, Throwable cause) {
        super(message, cause);
    }
}
