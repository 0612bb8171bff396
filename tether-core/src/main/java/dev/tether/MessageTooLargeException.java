package dev.tether;

/** A payload or its headers exceed the configured maximum message size. */
public class MessageTooLargeException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public MessageTooLargeException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public MessageTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }
}
