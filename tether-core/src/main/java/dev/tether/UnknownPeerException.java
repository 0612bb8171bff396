package dev.tether;

/** The destination is not a peer the node knows (configured, added, discovered or stored), or was removed. */
public class UnknownPeerException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public UnknownPeerException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public UnknownPeerException(String message, Throwable cause) {
        super(message, cause);
    }
}
