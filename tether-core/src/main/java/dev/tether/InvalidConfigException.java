package dev.tether;

/** A configuration value is out of range or inconsistent; the message names the setting. */
public class InvalidConfigException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public InvalidConfigException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
