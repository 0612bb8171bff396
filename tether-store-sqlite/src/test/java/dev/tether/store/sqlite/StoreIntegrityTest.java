package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.StoreDamage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store file with a damaged page is refused when it is opened, with a {@link StoreCorruptException} that names
 * the file, SQLite's findings and the recovery steps, and the failed open changes nothing in the file.
 */
class StoreIntegrityTest {
    private static final NodeId B = NodeId.of("b");
    private static final int MESSAGES = 2_000;

    @TempDir
    Path dir;

    /** A closed store with {@link #MESSAGES} pending messages: an outbox b-tree of several levels. */
    private Path storeWithBacklog() {
        Path file = dir.resolve("tether-a.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            WriteBatch batch = new WriteBatch();
            for (int seq = 1; seq <= MESSAGES; seq++) {
                batch.append(new StoredMessage(B, "default", seq, 0, Map.of(), new byte[100]));
            }
            store.commit(batch);
        }
        return file;
    }

    @Test
    void aDamagedOutboxPageIsRefusedAtOpenAndTheFileIsLeftAsItWas() throws Exception {
        Path file = storeWithBacklog();
        long page = StoreDamage.corruptPageOf(file, "outbox", 13);
        byte[] damaged = Files.readAllBytes(file);

        assertThatThrownBy(() -> new SqliteStore(file).open(Durability.FSYNC))
                .isInstanceOfSatisfying(StoreCorruptException.class, e -> {
                    assertThat(e.file()).isEqualTo(file.toAbsolutePath().normalize());
                    assertThat(e.problems()).isNotEmpty().noneMatch("ok"::equals);
                    assertThat(e.problems().toString()).contains("page " + page);
                })
                .hasMessageContaining("store " + file.toAbsolutePath().normalize() + " is corrupt")
                .hasMessageContaining("quick_check")
                .hasMessageContaining("\"A corrupt store\" in docs/OPERATIONS.md");
        assertThat(Files.readAllBytes(file)).isEqualTo(damaged);

        // The lock was released: the next open fails the same way, not with "in use".
        assertThatThrownBy(() -> new SqliteStore(file).open(Durability.FSYNC))
                .isInstanceOf(StoreCorruptException.class);
    }

    @Test
    void withoutTheCheckTheDamageSurfacesAsATypedErrorWhenThePageIsRead() {
        Path file = storeWithBacklog();
        StoreDamage.corruptPageOf(file, "outbox", 13);
        try (SqliteStore store = SqliteStore.builder(file).checkIntegrity(false).build()) {
            store.open(Durability.FSYNC); // streams, cursors and peers are intact
            assertThatThrownBy(() -> store.readOutbox(B, "default", 1, MESSAGES))
                    .isInstanceOf(StoreCorruptException.class)
                    .hasMessageContaining("the database file is corrupt")
                    .hasMessageContaining("docs/OPERATIONS.md");
        }
    }

    @Test
    void aHealthyStorePassesTheCheckAndANewFileIsReportedCreated() {
        Path file = storeWithBacklog();
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.createdFile()).isFalse();
            assertThat(store.readOutbox(B, "default", 1, MESSAGES)).hasSize(MESSAGES);
        }
        try (SqliteStore fresh = new SqliteStore(dir.resolve("new.db"))) {
            assertThat(fresh.createdFile()).isFalse();
            fresh.open(Durability.FSYNC);
            assertThat(fresh.createdFile()).isTrue();
        }
    }
}
