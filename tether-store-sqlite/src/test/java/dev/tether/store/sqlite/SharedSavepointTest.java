package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite's way of sharing one savepoint among replayable works (TransactionalStore rule 6): at most {@link
 * TransactionRunner#MAX_SHARED} works share it, so a failure runs only those of the last shared savepoint again.
 */
class SharedSavepointTest {
    @TempDir
    Path dir;

    private SqliteStore store;

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    @Test
    void aFailureRunsAgainOnlyTheWorksUnderTheLastSharedSavepoint() throws Exception {
        store = new SqliteStore(dir.resolve("s.db"));
        store.open(Durability.FSYNC);
        store.runInTransaction(tx -> {
            try (Statement s = tx.connection().createStatement()) {
                s.execute("CREATE TABLE app (k INTEGER PRIMARY KEY)");
            }
        });
        int works = TransactionRunner.MAX_SHARED + 36;
        int[] runs = new int[works];
        for (int i = 0; i < works; i++) {
            int k = i;
            store.runReplayable(tx -> {
                runs[k]++;
                PreparedStatement ps = tx.prepare("INSERT INTO app (k) VALUES (?)");
                ps.setLong(1, k);
                ps.executeUpdate();
            });
        }
        assertThatThrownBy(() -> store.runReplayable(tx -> {
                    tx.prepare("INSERT INTO app (k) VALUES (-1)").executeUpdate();
                    throw new IllegalStateException("handler failed");
                }))
                .hasMessage("handler failed");
        store.commit(new WriteBatch());

        for (int i = 0; i < works; i++) {
            assertThat(runs[i]).as("runs of work %d", i).isEqualTo(i < TransactionRunner.MAX_SHARED ? 1 : 2);
        }
        store.runInTransaction(tx -> {
            try (ResultSet rs =
                    tx.prepare("SELECT count(*), min(k), max(k) FROM app").executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(works);
                assertThat(rs.getLong(2)).isZero();
                assertThat(rs.getLong(3)).isEqualTo(works - 1);
            }
        });
    }
}
