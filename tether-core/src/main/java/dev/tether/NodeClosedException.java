package dev.tether;

/** The node is shutting down or closed and accepts no new work. */
public class NodeClosedException extends TetherException {
    private static final long serialVersionUID = 1L;

    public NodeClosedException(String message) {
        super(message);
    }

    public NodeClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
