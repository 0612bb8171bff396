package dev.tether;

/** A configuration value is out of range or inconsistent; the message names the setting. */
public class InvalidConfigException extends TetherException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
