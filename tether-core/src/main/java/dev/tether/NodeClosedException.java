package dev.tether;

/** The node is shutting down or closed and accepts no new work. */
public class NodeClosedException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public NodeClosedException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public NodeClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
