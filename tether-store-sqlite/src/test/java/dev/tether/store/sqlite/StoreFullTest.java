package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The size limit raises SQLITE_FULL like a full disk: a specific error, nothing half-stored, recovery. */
class StoreFullTest {
    private static final NodeId B = NodeId.of("b");
    private static final String LANE = "default";
    private static final long LIMIT = 1024 * 1024;

    @TempDir
    Path dir;

    private static StoredMessage msg(long seq) {
        return new StoredMessage(B, LANE, seq, 0, Map.of(), new byte[1000]);
    }

    /** Appends single messages until the store is full; returns the last stored sequence number. */
    private static long fill(SqliteStore store, long last) {
        while (true) {
            try {
                store.commit(new WriteBatch().append(msg(last + 1)));
                last++;
            } catch (StoreFullException full) {
                return last;
            }
            if (last > 10_000) throw new AssertionError("a " + LIMIT + "-byte store took " + last + " messages");
        }
    }

    @Test
    void aFullStoreRefusesWholeBatchesAndRecoversWhenTrimmed() {
        Path file = dir.resolve("small.db");
        try (SqliteStore store = SqliteStore.builder(file).maxSizeBytes(LIMIT).build()) {
            store.open(Durability.FSYNC);
            long last = fill(store, 0);
            assertThat(last).isBetween(100L, 1000L);

            // A batch mixing a cursor with an append that does not fit: nothing of it is stored.
            WriteBatch mixed = new WriteBatch()
                    .append(msg(last + 1))
                    .append(msg(last + 2))
                    .cursor(new InboundCursor(NodeId.of("c"), LANE, 7, 3));
            assertThatThrownBy(() -> store.commit(mixed))
                    .isInstanceOf(StoreFullException.class)
                    .hasMessageStartingWith("store full: commit failed store " + file)
                    .hasMessageContaining("reached its size limit of " + LIMIT + " bytes");
            assertThat(store.readOutbox(B, LANE, last, 10))
                    .extracting(StoredMessage::seq)
                    .containsExactly(last);

            // Trimming what was acknowledged needs no new pages and frees some: appends fit again.
            store.commit(new WriteBatch().trim(new WriteBatch.Trim(B, LANE, last)));
            long more = fill(store, last);
            assertThat(more - last).isGreaterThan(last / 2);
            assertThat(store.readOutbox(B, LANE, 0, 1).get(0).seq()).isEqualTo(last + 1);
        }
        try (SqliteStore reopened = new SqliteStore(file)) {
            assertThat(reopened.open(Durability.FSYNC).inbound()).isEmpty(); // the failed cursor never landed
        }
    }

    @Test
    void aLargerLimitOnReopenMakesRoom() {
        Path file = dir.resolve("grow.db");
        long last;
        try (SqliteStore store = SqliteStore.builder(file).maxSizeBytes(LIMIT).build()) {
            store.open(Durability.OS_BUFFERED);
            last = fill(store, 0);
        }
        long more;
        try (SqliteStore store =
                SqliteStore.builder(file).maxSizeBytes(4 * LIMIT).build()) {
            store.open(Durability.OS_BUFFERED);
            more = fill(store, last);
            assertThat(more).isGreaterThan(2 * last);
            assertThat(store.readOutbox(B, LANE, 0, 100_000)).hasSize((int) more);
        }
        // A limit below the current size opens (so the backlog can drain) but takes no new page.
        try (SqliteStore store = SqliteStore.builder(file).maxSizeBytes(LIMIT).build()) {
            assertThat(store.open(Durability.OS_BUFFERED).outbound().get(0).lastSeq())
                    .isEqualTo(more);
            assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(more + 1))))
                    .isInstanceOf(StoreFullException.class);
        }
    }

    @Test
    void limitsBelowTheMinimumAreRejected() {
        SqliteStore.Builder b = SqliteStore.builder(dir.resolve("x.db"));
        assertThatThrownBy(() -> b.maxSizeBytes(SqliteStore.MIN_SIZE_LIMIT_BYTES - 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least " + SqliteStore.MIN_SIZE_LIMIT_BYTES);
        assertThatThrownBy(() -> b.maxSizeBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        b.maxSizeBytes(0).maxSizeBytes(SqliteStore.MIN_SIZE_LIMIT_BYTES);
    }
}
