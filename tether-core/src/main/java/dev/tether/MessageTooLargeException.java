package dev.tether;

/** A payload or its headers exceed the configured maximum message size. */
public class MessageTooLargeException extends TetherException {
    private static final long serialVersionUID = 1L;

    public MessageTooLargeException(String message) {
        super(message);
    }

    public MessageTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }
}
