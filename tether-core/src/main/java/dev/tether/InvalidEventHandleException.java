package dev.tether;

/**
 * An event handle, or its text or bytes, is malformed ({@link EventHandle#parse}, {@link EventHandle#fromBytes}, an
 * event id given to {@link TetherNode#createEvent(String)}); the message names what is wrong.
 */
public class InvalidEventHandleException extends InvalidIdException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public InvalidEventHandleException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public InvalidEventHandleException(String message, Throwable cause) {
        super(message, cause);
    }
}
