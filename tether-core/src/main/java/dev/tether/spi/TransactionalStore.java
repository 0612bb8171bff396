package dev.tether.spi;

import dev.tether.StoreException;

/**
 * A {@link Store} whose writes an application can join: a transactional handler's writes go into the store's open
 * transaction, which the next {@link #commit} commits together with the batch that records the message processed
 * (exactly-once effects). Tether calls every method from the store's one writer thread.
 *
 * <p>Implementations MUST follow these rules (besides {@link Store}'s); {@code
 * dev.tether.testkit.TransactionalStoreContract} checks them.
 *
 * <ol>
 *   <li>{@link #runInTransaction} runs {@code work} on the calling thread, inside the store's open transaction
 *       (opening one if none is open), in a savepoint of its own: if {@code work} throws, exactly its writes are
 *       undone, the transaction stays open and the exception is rethrown as it is; if it returns, its writes stay
 *       in the open transaction, uncommitted.
 *   <li>The handle given to {@code work} is valid only until {@code work} returns; afterwards, and from any other
 *       thread, every use throws {@code dev.tether.TransactionClosedException}. It cannot commit, roll back or end
 *       the transaction, nor open or end a savepoint: such attempts throw {@code TransactionClosedException}.
 *   <li>{@link #stage} writes a batch into the open transaction (opening one) without committing it, validated as
 *       {@link #commit} validates; if it fails, everything open is rolled back and it throws {@link StoreException}.
 *   <li>{@link #commit} commits the open transaction, with the staged batches, the works' writes and its own batch,
 *       atomically (also when its batch is empty); if it fails, all of it is rolled back. With no open transaction
 *       it is {@link Store#commit} unchanged.
 *   <li>{@link #close} with a transaction open rolls it back, as a crash would; {@link #readOutbox} and {@link
 *       #readDeadLetters} see the open transaction's writes.
 *
 *   <li>{@link #runReplayable} keeps rule 1's outcome (a work that throws is rethrown as it is with exactly its
 *       writes undone; one that returns keeps its writes, uncommitted) for works that may run more than once. It
 *       MAY run consecutive replayable works under one shared savepoint instead of one each; when one of them
 *       throws, it MUST undo the shared savepoint and run the works that had returned under it again, in order,
 *       each in a savepoint of its own, before rethrowing. If one of those throws in turn, the transaction MUST
 *       NOT commit: the next {@link #stage} or {@link #commit} throws {@link StoreException} and rolls everything
 *       back. A {@link #runInTransaction}, {@link #stage} or {@link #commit} ends the shared savepoint, keeping its
 *       writes. The default is {@link #runInTransaction}.
 *   <li>If a statement a work ran ended the whole transaction on its own (SQLite's {@code ON CONFLICT ROLLBACK}
 *       or a trigger's {@code RAISE(ROLLBACK, ...)} roll it all back; the work may have caught that statement's
 *       error and returned), every later statement of that work MUST fail instead of running outside the
 *       transaction, and the store MUST notice it when the work ends: {@link #runInTransaction} or {@link
 *       #runReplayable} throws {@link StoreException} if the work returned (if it threw, its exception is rethrown
 *       as it is), nothing of that transaction commits, and until the next {@link #stage} or {@link #commit}, which
 *       throws {@link StoreException} and rolls everything back, every run throws {@link StoreException} without
 *       running its work: no work's writes are ever stored outside a commit (rule 4). The same holds when one of
 *       the store's own statements ended the transaction between works (a read failing with an I/O error): the next
 *       {@link #stage} or {@link #commit} throws and stores nothing. (Such statements are the store's own; its tests
 *       check this rule, not the contract suite.)
 * </ol>
 *
 * @param <T> the handle type given to the application's handlers
 */
public interface TransactionalStore<T> extends Store {
    /** The handle type {@link #runInTransaction} gives to {@code work}. */
    Class<T> transactionType();

    /** Runs {@code work} in a savepoint of the open transaction (rule 1). */
    void runInTransaction(Work<T> work) throws Exception;

    /**
     * Runs {@code work}, which may run again, in the open transaction (rule 6): the caller's way to let the store
     * share one savepoint among many messages' works.
     */
    default void runReplayable(Work<T> work) throws Exception {
        runInTransaction(work);
    }

    /** Writes {@code batch} into the open transaction without committing it (rule 3). */
    void stage(WriteBatch batch);

    /**
     * The application's writes for one message, given the transaction handle.
     *
     * @param <T> the handle type
     */
    @FunctionalInterface
    interface Work<T> {
        /** Writes through {@code transaction}; throwing undoes exactly these writes. */
        void run(T transaction) throws Exception;
    }
}
