package dev.tether;

/**
 * A transaction handle given to a {@link TransactionalHandler} or {@link TransactionalCallHandler} was used after
 * the handler returned (or from another thread, or to end the transaction itself): the transaction it belonged to
 * is no longer the handler's. Nothing was done.
 */
public class TransactionClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which says what was attempted. */
    public TransactionClosedException(String message) {
        super(message);
    }
}
