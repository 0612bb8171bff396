package dev.tether;

/** The store failed to read or commit. A send whose commit failed never completes successfully and no acknowledgment is emitted for uncommitted state. */
public class StoreException extends TetherException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
