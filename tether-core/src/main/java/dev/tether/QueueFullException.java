package dev.tether;

/** A stream already holds the configured maximum of unacknowledged messages; nothing was stored. */
public class QueueFullException extends TetherException {
    private static final long serialVersionUID = 1L;

    public QueueFullException(String message) {
        super(message);
    }

    public QueueFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
