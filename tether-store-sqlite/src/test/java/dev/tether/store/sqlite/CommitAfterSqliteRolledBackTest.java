package dev.tether.store.sqlite;

import static dev.tether.store.sqlite.AppTable.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite rolls back the whole open transaction on its own when a statement fails with SQLITE_IOERR or SQLITE_NOMEM,
 * a read-only statement that reads a table included (sqlite3VdbeHalt: sqlite3RollbackAll). When that statement is one
 * of the store's own (a read on the store's thread between two works), the next commit must fail and store nothing
 * (TransactionalStore rules 4 and 7): before audit 11 it found its transaction "open" (no BEGIN), wrote its batch in
 * autocommit mode (each statement committed at once) and failed only at COMMIT, so its sends were reported failed
 * while they were stored, and the work's write lost with the transaction went unnoticed.
 *
 * <p>Such an error cannot be provoked deterministically from Java (the driver ignores {@code hard_heap_limit}), so
 * SQLite's own rollback is stood in for by a {@code ROLLBACK} on the store's connection: for SQLite and the hooks it
 * is the same end of the transaction. Deterministic, no threads.
 */
class CommitAfterSqliteRolledBackTest {
    private static final NodeId B = NodeId.of("b");
    private static final AppTable APP = new AppTable("app_t");

    @TempDir
    Path dir;

    @Test
    void aCommitAfterSqliteRolledBackBetweenWorksStoresNothingOfItsBatch() throws Exception {
        Path file = dir.resolve("c.db");
        ApplicationTables.create(file, "CREATE TABLE app_t (k TEXT)");
        boolean committed;
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.runInTransaction(tx -> APP.insert(tx, "a")); // the transaction is open, its hooks watching
            sqliteRollsBack(connectionOf(store)); // as SQLite does after an I/O error in a read: "a" is gone
            try {
                store.commit(new WriteBatch().append(message(1)).append(message(2)));
                committed = true;
            } catch (RuntimeException failed) {
                committed = false;
            }
        }
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.readOutbox(B, "l", 0, 10))
                    .extracting(StoredMessage::seq)
                    .as("committed=" + committed + ": a commit that failed stores nothing of its batch (rule 4),"
                            + " and one that lost the work's write must fail")
                    .isEmpty();
            assertThat(committed)
                    .as("the work's write was lost with the transaction: the commit must fail")
                    .isFalse();
        }
    }

    /** SQLite ending the open transaction under the store, between two works. */
    private static void sqliteRollsBack(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        }
    }

    private static Connection connectionOf(SqliteStore store) throws ReflectiveOperationException {
        Field f = SqliteStore.class.getDeclaredField("connection");
        f.setAccessible(true);
        return (Connection) f.get(store);
    }
}
