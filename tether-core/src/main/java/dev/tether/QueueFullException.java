package dev.tether;

/** A stream already holds the configured maximum of unacknowledged messages; nothing was stored. */
public class QueueFullException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public QueueFullException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public QueueFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
