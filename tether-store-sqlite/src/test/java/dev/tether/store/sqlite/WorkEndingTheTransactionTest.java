package dev.tether.store.sqlite;

import static dev.tether.store.sqlite.AppTable.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit 10: a transactional work can end Tether's open transaction without any transaction statement (which the
 * handle refuses, TransactionalStore rule 2): an application table declared {@code ON CONFLICT ROLLBACK} (or a
 * trigger that runs {@code RAISE(ROLLBACK, ...)}) rolls back the whole transaction when a work inserts a duplicate.
 * A work that catches that constraint error and returns normally (an "insert, ignore duplicates" handler) leaves the
 * runner believing its transaction and shared savepoint are open: the next works then write in autocommit mode,
 * each statement committed at once, and the next commit fails. Rule 4 says a commit stores the works' writes
 * atomically with its batch, and if it fails, all of it is rolled back: here a later work's write is stored although
 * the commit that was to carry it failed, so a redelivered message's handler writes it twice (exactly-once lost).
 */
class WorkEndingTheTransactionTest {
    private static final NodeId B = NodeId.of("b");
    private static final AppTable APP = new AppTable("seen");

    @TempDir
    Path dir;

    @Test
    void aWorkThatEndsTheTransactionAndReturnsLeavesNoLaterWriteOutsideACommit() throws Exception {
        Path file = dir.resolve("s.db");
        ApplicationTables.create(file, "CREATE TABLE seen (k TEXT PRIMARY KEY ON CONFLICT ROLLBACK)");
        boolean committed;
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.runReplayable(tx -> APP.insert(tx, "x"));
            attempt(() -> store.runReplayable(tx -> {
                try {
                    APP.insert(tx, "x"); // a duplicate: SQLite rolls back the whole transaction
                } catch (SQLException duplicate) {
                    // the application ignores duplicates, as many "insert once" handlers do
                }
            }));
            attempt(() -> store.runReplayable(tx -> APP.insert(tx, "y")));
            try {
                store.commit(new WriteBatch().append(message(1)));
                committed = true;
            } catch (RuntimeException failed) {
                committed = false;
            }
        }
        List<String> rows = APP.rows(file);
        if (committed) {
            assertThat(rows)
                    .as("committed: every work's write that was not undone")
                    .contains("y");
        } else {
            assertThat(rows)
                    .as("the commit failed, so no work's write of its transaction may be stored (rule 4)")
                    .doesNotContain("y");
        }
    }

    /**
     * The streams' rows kept in memory (StreamStates) survive such a rollback: after a staged batch (message 3) was
     * rolled back with the transaction by a work that returned, the next stage validates message 4 against the staged
     * row the rollback took away (last 3), not the stored one (last 2), and writes it in autocommit mode: the outbox
     * then holds 1, 2, 4, and its stream says 4, so the engine's retry of 3 is refused as a reused number for good.
     * Rule 3: a stage that does not continue the stored numbering is refused with everything open rolled back.
     */
    @Test
    void aStageAfterAWorkThatEndedTheTransactionIsValidatedAgainstWhatIsStored() throws Exception {
        Path file = dir.resolve("u.db");
        ApplicationTables.create(
                file, "CREATE TABLE seen (k TEXT PRIMARY KEY ON CONFLICT ROLLBACK)", "INSERT INTO seen VALUES ('x')");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.commit(new WriteBatch().append(message(1)).append(message(2)));
            store.stage(new WriteBatch().append(message(3)));
            try {
                store.runInTransaction(tx -> {
                    try {
                        APP.insert(tx, "x"); // a duplicate: SQLite rolls back the whole transaction, message 3 with it
                    } catch (SQLException duplicate) {
                        // ignored by the application
                    }
                });
            } catch (Exception refused) {
                // whatever the store says about the work, message 3 is gone
            }
            try {
                store.stage(new WriteBatch().append(message(4)));
                store.commit(new WriteBatch());
            } catch (RuntimeException refused) {
                // refused: 4 does not follow what is stored
            }
        }
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.readOutbox(B, "l", 0, 10))
                    .extracting(StoredMessage::seq)
                    .as("the outbox holds a gap-free numbering")
                    .containsExactly(1L, 2L);
        }
    }

    /** Runs a work; the store may refuse it (a handler's failure, as the runtime sees it): what is stored counts. */
    private static void attempt(Attempt a) {
        try {
            a.run();
        } catch (Exception refused) {
            // reported to the handler's caller as its failure; the assertions look at what was stored
        }
    }

    private interface Attempt {
        void run() throws Exception;
    }
}
