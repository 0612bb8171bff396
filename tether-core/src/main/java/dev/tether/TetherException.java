package dev.tether;

/**
 * Base of every exception Tether throws to callers. Each subclass names one problem; callers that
 * only care whether Tether failed can catch this type.
 */
public class TetherException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TetherException(String message) {
        super(message);
    }

    public TetherException(String message, Throwable cause) {
        super(message, cause);
    }
}
