package dev.tether.store.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;

/**
 * Notices SQLite ending the open transaction under a transactional handler. A handler cannot end it with a
 * transaction statement ({@link JdbcGuard} refuses those), but a statement it runs can: a conflict on a table or
 * index declared {@code ON CONFLICT ROLLBACK}, {@code INSERT OR ROLLBACK}, a trigger's {@code RAISE(ROLLBACK, ...)},
 * or an I/O, disk-full or out-of-memory error SQLite answers by rolling back. The statement fails with an ordinary
 * constraint or I/O error (its code does not tell an ended transaction from an undone statement), and a handler that
 * catches it and returns would leave the runner writing into a transaction that is gone: every later statement
 * committed on its own.
 *
 * <p>SQLite reports every end of a transaction through its commit and rollback hooks ({@code sqlite3_commit_hook},
 * {@code sqlite3_rollback_hook}; {@code ROLLBACK TO} a savepoint calls neither): the driver offers them as a
 * {@link SQLiteCommitListener}. The listener is installed while handlers run in a transaction ({@link #watch}, at the
 * first of them) and removed before the store commits or after it rolls back ({@link #stop}), so a commit carrying
 * no handler's work (the plain store path) never calls into Java, and a handler's work costs one field read. The
 * driver does not expose {@code sqlite3_get_autocommit}, and {@link Connection#getAutoCommit} reports the driver's
 * own setting, which stays {@code true} (the store begins and commits with SQL). Not thread-safe: the store's thread
 * (SQLite calls the hooks on the thread running the statement).
 */
final class TransactionEnds implements SQLiteCommitListener {
    private final SQLiteConnection sqlite;
    private boolean watching;
    private boolean ended;

    TransactionEnds(Connection connection) throws SQLException {
        this.sqlite = connection.unwrap(SQLiteConnection.class);
    }

    /** From now until {@link #stop}, remembers whether SQLite commits or rolls back; forgets an earlier end. */
    void watch() {
        if (watching) return;
        ended = false;
        sqlite.addCommitListener(this);
        watching = true;
    }

    /** Stops listening (before the store's own COMMIT, so that it does not call into Java). */
    void stop() {
        if (!watching) return;
        sqlite.removeCommitListener(this);
        watching = false;
    }

    /** Whether SQLite committed or rolled back the transaction since {@link #watch}. */
    boolean ended() {
        return watching && ended;
    }

    @Override
    public void onCommit() {
        ended = true;
    }

    @Override
    public void onRollback() {
        ended = true;
    }
}
