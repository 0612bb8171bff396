package dev.tether.store.sqlite;

import static dev.tether.store.sqlite.AppTable.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transactional handler whose statement made SQLite end the whole transaction (a table declared {@code ON CONFLICT
 * ROLLBACK}, a trigger's {@code RAISE(ROLLBACK)}) and that catches the error and goes on writing (the common "insert,
 * else update" fallback) gets {@link dev.tether.TransactionClosedException} for that write: in autocommit mode SQLite
 * would store it at once, outside any commit, and again at every redelivery (found by audit 11; TransactionalStore
 * rule 7). Deterministic: no threads, no clock.
 */
class WriteAfterTheTransactionEndedTest {
    private static final AppTable APP = new AppTable("app_t");

    @TempDir
    Path dir;

    @Test
    void aWriteAfterTheHandlerCaughtTheRollbackIsNotStoredOutsideACommit() throws Exception {
        Path file = dir.resolve("w.db");
        ApplicationTables.create(
                file, "CREATE TABLE app_t (k TEXT PRIMARY KEY ON CONFLICT ROLLBACK)", "INSERT INTO app_t VALUES ('x')");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.runInTransaction(tx -> APP.insert(tx, "before")); // an earlier message's handler, same transaction
            attempt(() -> store.runInTransaction(tx -> {
                try {
                    APP.insert(tx, "x"); // a duplicate: SQLite rolls back the whole transaction
                } catch (SQLException duplicate) {
                    APP.insert(tx, "fallback"); // the handler's fallback write: now in autocommit mode
                }
            }));
            attempt(() -> store.commit(new WriteBatch().append(message(1))));
        }
        assertThat(APP.rows(file))
                .as("the transaction was lost and its commit failed: no write of its handlers may be stored")
                .containsExactly("x");
    }

    @Test
    void aReplayableWorkThatWritesAfterCatchingTheRollbackStoresNothingOutsideACommit() throws Exception {
        Path file = dir.resolve("r.db");
        ApplicationTables.create(
                file, "CREATE TABLE app_t (k TEXT PRIMARY KEY ON CONFLICT ROLLBACK)", "INSERT INTO app_t VALUES ('x')");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            attempt(() -> store.runReplayable(tx -> {
                try {
                    APP.insert(tx, "x");
                } catch (SQLException duplicate) {
                    APP.insert(tx, "fallback");
                }
            }));
            attempt(() -> store.commit(new WriteBatch().append(message(1))));
        }
        assertThat(APP.rows(file))
                .as("the work's run failed (it will run again): its fallback write must not be stored")
                .containsExactly("x");
    }

    /** Runs a step the store may refuse (a handler's failure, a failed commit, as the runtime sees them). */
    private static void attempt(Step s) {
        try {
            s.run();
        } catch (Exception refused) {
            // what is stored counts, checked after the store closed
        }
    }

    private interface Step {
        void run() throws Exception;
    }
}
