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
import java.util.function.Consumer;

/**
 * The transaction {@link SqliteStore} keeps open for transactional handlers (TransactionalStore rules 1-3 and 6):
 * opened by the first handler or staged batch, committed by the store's next commit. A work runs in a savepoint of
 * its own, or, if replayable, with up to {@value #MAX_SHARED} consecutive replayable works under one shared
 * savepoint: SQLite's savepoint and release cost about as much as a small insert, so the shared one saves most of
 * that per message; when a replayable work throws, the shared savepoint is rolled back and the works before it run
 * again, each in its own savepoint. Holds the handlers' prepared-statement cache. Not thread-safe: the store's
 * thread.
 *
 * <p>A statement a work runs can end the whole transaction without any transaction statement ({@link
 * TransactionEnds}: {@code ON CONFLICT ROLLBACK}, {@code RAISE(ROLLBACK, ...)}, an I/O error). Checked after every
 * work, also one that returned (it may have caught the statement's error): the run of a work that returned throws
 * {@link StoreException} (one that threw has its exception rethrown with that added), the transaction is
 * <em>broken</em> (the writes of the works and the batches staged since the last
 * commit are gone), and, as when a failing RELEASE leaves its state unknown, every later run, stage and commit throws
 * until the store rolls back: no later work writes outside a transaction, and no commit stores half of what it was
 * to carry.
 */
final class TransactionRunner {
    private static final int MAX_CACHED = 64;
    /** Replayable works under one shared savepoint at most: bounds what one failure runs again. */
    static final int MAX_SHARED = 64;

    private final Connection connection;
    /** Whether SQLite ended the transaction under a work; listening while works run in it. */
    private final TransactionEnds ends;
    /** Kept in step with the transaction: moved to committed by {@link #commit}, forgotten by {@link #ended}. */
    private final StreamStates streamStates;

    private final Map<String, Kept> cache = new LinkedHashMap<>(16, 0.75f, true);
    private final List<Statement> created = new ArrayList<>();
    /** Kept statements the handler added batches to: cleared when it returns, so no later call runs them. */
    private final List<Statement> batched = new ArrayList<>();

    /** BEGIN and COMMIT, prepared once: parsing them again cost every commit a prepare and a finalize each. */
    private PreparedStatement beginImmediate;

    private PreparedStatement commitStatement;
    private PreparedStatement savepoint;
    private PreparedStatement release;
    private PreparedStatement rollbackTo;
    private PreparedStatement sharedSavepoint;
    private PreparedStatement sharedRelease;
    private PreparedStatement sharedRollbackTo;
    /** The replayable works that returned under the open shared savepoint, in order; empty when none is open. */
    private final List<TransactionalStore.Work<SqliteTransaction>> shared = new ArrayList<>();

    private boolean sharedOpen;
    private boolean open;
    /** Why the open transaction cannot commit any more (SQLite ended it under a work, a savepoint failed), or null. */
    private String broken;

    TransactionRunner(Connection connection, StreamStates streamStates) throws SQLException {
        this.connection = connection;
        this.streamStates = streamStates;
        this.ends = new TransactionEnds(connection);
    }

    /** Whether a transaction is open (or broken): the store's next commit commits it (or fails and rolls back). */
    boolean isOpen() {
        return open;
    }

    /** Opens the transaction if none is open. */
    void begin() throws SQLException {
        if (open) return;
        if (beginImmediate == null) beginImmediate = connection.prepareStatement("BEGIN IMMEDIATE");
        beginImmediate.execute();
        streamStates.begun();
        open = true;
        broken = null;
    }

    /** Commits the open transaction (with {@code synchronous=FULL} on disk when this returns). */
    void commit() throws SQLException {
        ends.stop();
        if (commitStatement == null) commitStatement = connection.prepareStatement("COMMIT");
        commitStatement.execute();
        streamStates.committed();
        closed();
    }

    /**
     * The store committed or rolled back the open transaction (and with it any savepoint). After a rollback the
     * streams' rows are read again: what the transaction wrote is gone ({@link #commit} moved it before).
     */
    void ended() {
        streamStates.rolledBack();
        closed();
    }

    private void closed() {
        ends.stop();
        open = false;
        broken = null;
        sharedOpen = false;
        shared.clear();
    }

    /** Keeps the writes of the shared savepoint's works and ends it, before anything else writes. */
    void endShared() throws SQLException {
        shared.clear();
        if (!sharedOpen) return;
        sharedOpen = false;
        sharedRelease.execute();
    }

    /**
     * @throws dev.tether.TransactionClosedException if SQLite ended the transaction under the running work: a
     *     statement run now would run in autocommit mode and be stored at once, outside any commit
     */
    void checkNotEnded(String what) {
        if (ends.ended()) {
            throw new dev.tether.TransactionClosedException(what + " after SQLite ended the transaction under this"
                    + " transactional handler (ON CONFLICT ROLLBACK, RAISE(ROLLBACK), an I/O error): it would be"
                    + " stored outside any commit");
        }
    }

    /** @throws StoreException if a handler's failure took the open transaction with it */
    void checkCommittable() {
        if (broken == null && ends.ended()) {
            lost("SQLite ended the open transaction outside a transactional handler (a statement of the store's own"
                    + " failed with an I/O or out-of-memory error): the handlers' writes since the last commit are"
                    + " lost, so it cannot commit");
        }
        if (broken != null) throw new StoreException(broken);
    }

    void run(TransactionalStore.Work<SqliteTransaction> work) throws Exception {
        // Outside a transaction SAVEPOINT would open one of its own, which RELEASE would commit without a cursor.
        checkCommittable();
        begin();
        ends.watch();
        try {
            prepareSavepoints();
            endShared();
            savepoint.execute();
        } catch (SQLException e) {
            throw unknownAfter(e, "a savepoint failed before a transactional handler ran");
        }
        invoke(work, this::undo);
        try {
            release.execute();
        } catch (SQLException e) {
            throw unknownAfter(e, "the savepoint of a transactional handler that returned could not be released");
        }
    }

    /**
     * A statement of the runner's own failed after the transaction opened: what it holds is not known any more, so
     * it cannot commit (the next stage or commit rolls it back).
     */
    private SQLException unknownAfter(SQLException e, String what) {
        lost(what + " (" + e.getMessage() + "): the transaction cannot commit");
        return e;
    }

    /**
     * The transaction is gone or unknown: it must not commit, no work may write in it, and what the streams' rows
     * were in it is forgotten (the next stage reads them again; staged rows went with the transaction).
     */
    private void lost(String why) {
        broken = why;
        sharedOpen = false;
        shared.clear();
        ends.stop();
        streamStates.rolledBack();
    }

    /**
     * If SQLite ended the transaction under the work that just ran: marks it broken and returns why, to be thrown for
     * a work that returned or added to what one threw ({@code cause}, rethrown as it is); else null.
     */
    private StoreException endedUnderWork(Throwable cause) {
        if (!ends.ended()) return null;
        lost("SQLite ended the open transaction under a transactional handler: a statement it ran committed or"
                + " rolled back the whole transaction (a conflict on a table declared ON CONFLICT ROLLBACK, INSERT OR"
                + " ROLLBACK, a trigger's RAISE(ROLLBACK), or an I/O error), "
                + (cause == null ? "and the handler returned" : "and the handler threw")
                + "; the writes of the transactional handlers and the batches staged since the last commit were lost"
                + " with it, so it cannot commit, and no handler runs until it is rolled back");
        return new StoreException(broken);
    }

    /**
     * Runs {@code work} with a handle of its own and closes what it created; if either fails, calls {@code undo} with
     * the failure before rethrowing it.
     */
    private void invoke(TransactionalStore.Work<SqliteTransaction> work, Consumer<Throwable> undo) throws Exception {
        SqliteTransaction tx = new SqliteTransaction(this, connection);
        try {
            work.run(tx);
        } catch (Throwable t) {
            tx.close();
            closeCreated(t);
            StoreException ended = endedUnderWork(t);
            if (ended != null) t.addSuppressed(ended); // nothing to undo: the transaction is gone
            else undo.accept(t);
            throw t;
        }
        tx.close();
        try {
            closeCreated(null);
        } catch (SQLException e) {
            StoreException ended = endedUnderWork(e);
            if (ended != null) e.addSuppressed(ended);
            else undo.accept(e);
            throw e;
        }
        StoreException ended = endedUnderWork(null);
        if (ended != null) throw ended;
    }

    /** Runs {@code work} under the shared savepoint (TransactionalStore rule 6). */
    void runReplayable(TransactionalStore.Work<SqliteTransaction> work) throws Exception {
        checkCommittable();
        begin();
        ends.watch();
        try {
            prepareSavepoints();
            if (shared.size() >= MAX_SHARED) endShared();
            if (!sharedOpen) {
                sharedSavepoint.execute();
                sharedOpen = true;
            }
        } catch (SQLException e) {
            throw unknownAfter(e, "the shared savepoint of transactional handlers failed before one ran");
        }
        invoke(work, this::replayBefore);
        shared.add(work);
    }

    /**
     * A replayable work failed with {@code cause}: undoes the shared savepoint, then runs the works that returned
     * under it again, each in its own savepoint, so that exactly the failed work's writes are missing.
     */
    private void replayBefore(Throwable cause) {
        List<TransactionalStore.Work<SqliteTransaction>> again = List.copyOf(shared);
        shared.clear();
        sharedOpen = false;
        try {
            sharedRollbackTo.execute();
            sharedRelease.execute();
        } catch (SQLException e) {
            cause.addSuppressed(e);
            lost("the shared savepoint of a failing transactional handler could not be rolled back (" + e.getMessage()
                    + "): the transaction cannot commit");
            return;
        }
        for (TransactionalStore.Work<SqliteTransaction> w : again) {
            try {
                run(w);
            } catch (Throwable t) { // whatever it is, the transaction no longer holds what had returned
                cause.addSuppressed(t);
                lost("a transactional handler that had returned threw when it ran again after a later handler of"
                        + " its transaction failed (" + t + "): its writes are missing, so the transaction cannot"
                        + " commit");
                return;
            }
        }
    }

    private void prepareSavepoints() throws SQLException {
        if (savepoint != null) return;
        savepoint = connection.prepareStatement("SAVEPOINT tether_handler");
        release = connection.prepareStatement("RELEASE tether_handler");
        rollbackTo = connection.prepareStatement("ROLLBACK TO tether_handler");
        sharedSavepoint = connection.prepareStatement("SAVEPOINT tether_handlers");
        sharedRelease = connection.prepareStatement("RELEASE tether_handlers");
        sharedRollbackTo = connection.prepareStatement("ROLLBACK TO tether_handlers");
    }

    /** Rolls back to the handler's savepoint; if that fails, the transaction cannot be committed. */
    private void undo(Throwable cause) {
        try {
            rollbackTo.execute();
            release.execute();
        } catch (SQLException e) {
            cause.addSuppressed(e);
            lost("the savepoint of a failing transactional handler could not be rolled back (" + e.getMessage()
                    + "): the transaction cannot commit");
        }
    }

    /**
     * The kept statement for {@code sql}, parameters cleared, guarded for {@code call}: one guarded object per
     * statement, handed to each call that prepares it, so that a reference kept from an earlier call fails unless
     * this call prepared the same statement again (and then it is this call's).
     */
    PreparedStatement cached(String sql, SqliteTransaction call) throws SQLException {
        checkNotEnded("prepare(...)");
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
}
