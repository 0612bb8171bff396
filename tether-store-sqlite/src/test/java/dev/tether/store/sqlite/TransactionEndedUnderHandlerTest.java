package dev.tether.store.sqlite;

import static dev.tether.store.sqlite.AppTable.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.StoreException;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a transactional handler and the store's caller see when a statement the handler ran ended the whole
 * transaction (a trigger's {@code RAISE(ROLLBACK)}, {@code INSERT OR ROLLBACK}): the handler's run fails with
 * {@link StoreException} if it caught the statement's error and returned (its own exception, with that attached, if it
 * threw), no later handler runs, the next stage or commit fails and rolls back, and the store then works as before.
 */
class TransactionEndedUnderHandlerTest {
    private static final AppTable APP = new AppTable("app_t");

    @TempDir
    Path dir;

    @Test
    void aTriggerRollingBackTheTransactionFailsTheHandlerEvenIfItReturnedAndNothingOfItCommits() throws Exception {
        Path file = dir.resolve("t.db");
        ApplicationTables.create(
                file,
                "CREATE TABLE app_t (k TEXT)",
                "CREATE TRIGGER app_no BEFORE INSERT ON app_t WHEN NEW.k = 'bad' BEGIN SELECT RAISE(ROLLBACK, 'no');"
                        + " END");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.runInTransaction(tx -> APP.insert(tx, "a"));
            assertThatThrownBy(() -> store.runInTransaction(tx -> {
                        try {
                            APP.insert(tx, "bad");
                        } catch (SQLException caught) {
                            // the handler goes on as if only its statement had failed
                        }
                    }))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("SQLite ended the open transaction under a transactional handler")
                    .hasMessageContaining("the handler returned");
            assertThatThrownBy(() -> store.runInTransaction(tx -> APP.insert(tx, "later")))
                    .as("no handler writes outside a transaction")
                    .isInstanceOf(StoreException.class);
            assertThatThrownBy(() -> store.commit(new WriteBatch().append(message(1))))
                    .isInstanceOf(StoreException.class);
            assertThat(APP.rows(file))
                    .as("nothing of the lost transaction, nor of a later handler")
                    .isEmpty();

            store.runInTransaction(tx -> APP.insert(tx, "again"));
            store.commit(new WriteBatch().append(message(1)));
        }
        assertThat(APP.rows(file))
                .as("the store works again after the rollback")
                .containsExactly("again");
    }

    @Test
    void aHandlerThatLetsTheErrorOutHasItRethrownWithTheStoresFailureAttached() throws Exception {
        Path file = dir.resolve("u.db");
        ApplicationTables.create(file, "CREATE TABLE app_t (k TEXT PRIMARY KEY)", "INSERT INTO app_t VALUES ('x')");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.runReplayable(tx -> APP.insert(tx, "a"));
            assertThatThrownBy(() -> store.runReplayable(tx -> tx.prepare("INSERT OR ROLLBACK INTO app_t VALUES ('x')")
                            .executeUpdate()))
                    .as("the handler's own exception, as it is, with the store's word on the transaction")
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(e.getSuppressed())
                            .anySatisfy(s -> assertThat(s)
                                    .isInstanceOf(StoreException.class)
                                    .hasMessageContaining("and the handler threw")));
            assertThatThrownBy(() -> store.stage(new WriteBatch().append(message(1))))
                    .isInstanceOf(StoreException.class);
            store.runReplayable(tx -> APP.insert(tx, "b"));
            store.commit(new WriteBatch().append(message(1)));
        }
        assertThat(APP.rows(file)).containsExactly("b", "x");
    }
}
