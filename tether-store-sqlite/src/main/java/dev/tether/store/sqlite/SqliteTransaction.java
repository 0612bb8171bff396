package dev.tether.store.sqlite;

import dev.tether.TransactionClosedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The handle a transactional handler gets with the SQLite store ({@code TransactionalHandler.inTransaction(
 * SqliteTransaction.class, (delivery, tx) -> ...)}): the store's own connection, inside the transaction that will
 * commit this message's writes together with its acknowledgment (docs/EXACTLY-ONCE.md). Write your own tables
 * through it; never Tether's ({@code meta}, {@code outbox}, {@code streams}, {@code cursors}, {@code dead_letters},
 * {@code peers}).
 *
 * <p><b>Validity.</b> The handle, the {@link Connection} it gives and every statement and result set obtained from
 * them are valid only during the handler call and on its thread: any use after the call returned (or from another
 * thread) throws {@link TransactionClosedException}. Statements the handler created are closed when it returns.
 * The transaction is Tether's: {@code commit}, {@code rollback}, {@code setAutoCommit}, savepoints and {@code close}
 * on the connection, and SQL that begins, commits, rolls back, releases or opens a savepoint, throw {@link
 * TransactionClosedException} and do nothing. Throwing from the handler undoes exactly its writes.
 *
 * <p><b>Statements that end the transaction.</b> A statement can still roll back the whole transaction on its own: a
 * conflict on a table or index declared {@code ON CONFLICT ROLLBACK}, {@code INSERT OR ROLLBACK}, a trigger's {@code
 * RAISE(ROLLBACK, ...)}, or an I/O or disk-full error SQLite answers so. Its error looks like any constraint or I/O
 * error, but the writes of every handler since the last commit are gone with it. Every statement the handler runs
 * after it throws {@link TransactionClosedException} (in autocommit mode it would be stored at once). The store
 * notices it when the handler ends (TransactionalStore rule 7): a handler that caught the error and returned fails with {@link
 * dev.tether.StoreException} all the same (one that threw has its exception rethrown with that attached), no
 * handler runs until the store has rolled back, and the batch that was to commit them fails: with the messages'
 * writes lost, the node's commits then fail until it restarts (docs/EXACTLY-ONCE.md). Use the default {@code ABORT}
 * (which undoes only the statement), {@code INSERT OR IGNORE}, {@code ON CONFLICT DO NOTHING} or {@code
 * RAISE(ABORT, ...)} in tables handlers write.
 *
 * <p><b>Threading.</b> The store's writer thread, one handler call at a time; not to be shared.
 */
public final class SqliteTransaction {
    private final TransactionRunner runner;
    private final Thread owner = Thread.currentThread();
    private final Connection raw;
    private Connection connection;
    private boolean open = true;

    SqliteTransaction(TransactionRunner runner, Connection raw) {
        this.runner = runner;
        this.raw = raw;
    }

    /**
     * The store's connection inside the open transaction, guarded as the class comment says.
     *
     * @throws TransactionClosedException if the handler call has returned
     */
    public Connection connection() {
        check("connection()");
        if (connection == null) connection = JdbcGuard.wrap(Connection.class, raw, this, runner);
        return connection;
    }

    /**
     * A prepared statement for {@code sql}, parameters cleared: the store keeps it prepared across handler calls (up
     * to 64 distinct statements), so a handler that runs the same SQL for every message prepares it once. Later calls
     * preparing the same SQL get the same object, which then serves them; a reference kept from an earlier call
     * throws {@link TransactionClosedException} unless the running call prepared it again.
     *
     * @throws TransactionClosedException if the handler call has returned, or {@code sql} would end the transaction
     * @throws SQLException if SQLite cannot prepare it
     */
    public PreparedStatement prepare(String sql) throws SQLException {
        check("prepare(...)");
        return runner.cached(sql, this);
    }

    /** Whether the handler call this handle belongs to is still running, on this thread. */
    public boolean isOpen() {
        return open && Thread.currentThread() == owner;
    }

    /** @throws TransactionClosedException unless {@link #isOpen()} */
    void check(String what) {
        if (!open) {
            throw new TransactionClosedException(what + " on a transaction handle whose handler call has returned:"
                    + " the handle is valid only during the call");
        }
        if (Thread.currentThread() != owner) {
            throw new TransactionClosedException(
                    what + " from thread " + Thread.currentThread().getName()
                            + ": the handle is valid only on the handler's thread, " + owner.getName());
        }
    }

    /** The handler call returned: every use from now on throws. */
    void close() {
        open = false;
    }
}
