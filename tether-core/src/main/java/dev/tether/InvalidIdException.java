package dev.tether;

/** A node id or lane name is malformed (empty, too long, or with characters outside {@code [A-Za-z0-9._-]}). */
public class InvalidIdException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public InvalidIdException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public InvalidIdException(String message, Throwable cause) {
        super(message, cause);
    }
}
