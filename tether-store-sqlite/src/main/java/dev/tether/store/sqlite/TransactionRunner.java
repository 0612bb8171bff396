package dev.tether.store.sqlite;

import dev.tether.StoreException;
import dev.tether.spi.TransactionalStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The transaction {@link SqliteStore} keeps open for transactional handlers (TransactionalStore rules 1-3): opened by
 * the first handler or staged batch, each handler in a savepoint of its own, committed by the store's next commit.
 * Holds the handlers' prepared-statement cache. Not thread-safe: the store's thread.
 */
final class TransactionRunner {
    private static final int MAX_CACHED = 64;

    private final Connection connection;
    private final Map<String, Kept> cache = new LinkedHashMap<>(16, 0.75f, true);
    private final List<Statement> created = new ArrayList<>();
    /** Kept statements the handler added batches to: cleared when it returns, so no later call runs them. */
    private final List<Statement> batched = new ArrayList<>();

    private PreparedStatement savepoint;
    private PreparedStatement release;
    private PreparedStatement rollbackTo;
    private boolean open;
    /** Why the open transaction can no longer be committed (SQLite ended it under a handler), or null. */
    private String broken;

    TransactionRunner(Connection connection) {
        this.connection = connection;
    }

    /** Whether a transaction is open: the store's next commit commits it. */
    boolean isOpen() {
        return open;
    }

    /** Opens the transaction if none is open. */
    void begin() throws SQLException {
        if (open) return;
        execute("BEGIN IMMEDIATE");
        open = true;
        broken = null;
    }

    /** The store committed or rolled back the open transaction. */
    void ended() {
        open = false;
        broken = null;
    }

    /** @throws StoreException if a handler's failure took the open transaction with it */
    void checkCommittable() {
        if (broken != null) throw new StoreException(broken);
    }

    void run(TransactionalStore.Work<SqliteTransaction> work) throws Exception {
        // Outside a transaction SAVEPOINT would open one of its own, which RELEASE would commit without a cursor.
        checkCommittable();
        begin();
        if (savepoint == null) {
            savepoint = connection.prepareStatement("SAVEPOINT tether_handler");
            release = connection.prepareStatement("RELEASE tether_handler");
            rollbackTo = connection.prepareStatement("ROLLBACK TO tether_handler");
        }
        savepoint.execute();
        SqliteTransaction tx = new SqliteTransaction(this, connection);
        try {
            work.run(tx);
        } catch (Throwable t) {
            tx.close();
            closeCreated(t);
            undo(t);
            throw t;
        }
        tx.close();
        try {
            closeCreated(null);
        } catch (SQLException e) {
            undo(e);
            throw e;
        }
        release.execute();
    }

    /** Rolls back to the handler's savepoint; if SQLite already ended the transaction, it cannot be committed. */
    private void undo(Throwable cause) {
        try {
            rollbackTo.execute();
            release.execute();
        } catch (SQLException e) {
            cause.addSuppressed(e);
            broken = "SQLite ended the open transaction under a failing transactional handler (" + e.getMessage()
                    + "): the writes of the handlers before it were lost with it";
        }
    }

    /**
     * The kept statement for {@code sql}, parameters cleared, guarded for {@code call}: one guarded object per
     * statement, handed to each call that prepares it, so that a reference kept from an earlier call fails unless
     * this call prepared the same statement again (and then it is this call's).
     */
    PreparedStatement cached(String sql, SqliteTransaction call) throws SQLException {
        Kept k = cache.get(sql);
        if (k == null) {
            if (cache.size() >= MAX_CACHED) {
                Map.Entry<String, Kept> eldest = cache.entrySet().iterator().next();
                cache.remove(eldest.getKey());
                eldest.getValue().raw().close();
            }
            JdbcGuard.checkSql(sql);
            PreparedStatement raw = connection.prepareStatement(sql);
            k = new Kept(raw, JdbcGuard.wrap(PreparedStatement.class, raw, call, this));
            cache.put(sql, k);
        }
        JdbcGuard.handTo(k.guarded(), call);
        k.raw().clearParameters();
        return k.guarded();
    }

    /** A statement kept prepared across handler calls, and its guarded face. */
    private record Kept(PreparedStatement raw, PreparedStatement guarded) {}

    /** The handler added a batch to {@code s}: cleared when its call ends. */
    void batched(Statement s) {
        batched.add(s);
    }

    /** A statement the handler created through its connection: closed when its call ends. */
    void created(Statement s) {
        created.add(s);
    }

    private void closeCreated(Throwable cause) throws SQLException {
        SQLException first = null;
        for (Statement s : created) {
            try {
                s.close();
            } catch (SQLException e) {
                if (cause != null) cause.addSuppressed(e);
                else if (first == null) first = e;
            }
        }
        created.clear();
        for (Statement s : batched) {
            try {
                if (!s.isClosed()) s.clearBatch();
            } catch (SQLException e) {
                if (cause != null) cause.addSuppressed(e);
                else if (first == null) first = e;
            }
        }
        batched.clear();
        if (first != null) throw first;
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }
}
