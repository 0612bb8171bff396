package dev.tether;

/** The store failed to read or commit. A send whose commit failed never completes successfully and no acknowledgment is emitted for uncommitted state. */
public class StoreException extends TetherException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the problem and the value that caused it. */
    public StoreException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the underlying {@code cause}. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
