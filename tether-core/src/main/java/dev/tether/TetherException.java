package dev.tether;

/**
 * Base of every exception Tether throws to callers. Each subclass names one problem; callers that
 * only care whether Tether failed can catch this type.
 */
public class TetherException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public TetherException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public TetherException(String message, Throwable cause) {
        super(message, cause);
    }
}
