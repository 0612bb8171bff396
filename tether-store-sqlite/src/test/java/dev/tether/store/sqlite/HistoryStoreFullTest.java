package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.MessageKind;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * History under a size limit (docs/OPERATIONS.md, "History"): the entries of settled messages are written under
 * the hard limit, so a full store still commits cursors with their entries; those of messages stored for sending
 * under the append limit, like their messages, so sends never take the reserve kept for trims and cursors.
 */
class HistoryStoreFullTest {
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final String LANE = "default";
    private static final long LIMIT = 1024 * 1024;

    /** Ten entries of 1,000 payload bytes: more than the free room of a store full of messages, within the reserve. */
    private static final int ENTRIES = 10;

    private static final HistoryQuery ALL =
            HistoryQuery.builder().max(HistoryQuery.MAX_PAGE).build();

    @TempDir
    Path dir;

    private static StoredMessage msg(long seq) {
        return new StoredMessage(B, LANE, seq, 0, Map.of(), new byte[1000]);
    }

    private static HistoryEntry entry(HistoryDirection direction, NodeId peer, long seq) {
        return entry(direction, peer, seq, 1000);
    }

    private static HistoryEntry entry(HistoryDirection direction, NodeId peer, long seq, int payloadBytes) {
        return new HistoryEntry(
                0,
                1000 + seq,
                direction,
                MessageKind.DIRECT,
                peer,
                null,
                null,
                null,
                null,
                LANE,
                seq,
                direction == HistoryDirection.IN ? Outcome.PROCESSED : null,
                payloadBytes,
                Map.of(),
                new byte[payloadBytes],
                false);
    }

    /** A cursor of C's stream at {@code ENTRIES} with an IN entry per message it settles. */
    private static WriteBatch settle() {
        WriteBatch w = new WriteBatch().cursor(new InboundCursor(C, LANE, 7, ENTRIES));
        for (long seq = 1; seq <= ENTRIES; seq++) w.history(entry(HistoryDirection.IN, C, seq));
        return w;
    }

    /** Commits batches made by {@code batch} (given the next sequence number) until the store is full. */
    private static long fill(SqliteStore store, java.util.function.LongFunction<WriteBatch> batch) {
        for (long seq = 1; ; seq++) {
            try {
                store.commit(batch.apply(seq));
            } catch (StoreFullException full) {
                return seq - 1;
            }
            if (seq > 10_000) throw new AssertionError("a " + LIMIT + "-byte store took " + seq + " batches");
        }
    }

    @Test
    void aStoreFullOfMessagesStillCommitsACursorWithItsInEntries() {
        Path file = dir.resolve("full.db");
        try (SqliteStore store = SqliteStore.builder(file).maxSizeBytes(LIMIT).build()) {
            store.open(Durability.FSYNC);
            long last = fill(store, seq -> new WriteBatch().append(msg(seq)));
            assertThat(last).isBetween(100L, 1000L);
            assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(last + 1))))
                    .isInstanceOf(StoreFullException.class);

            store.commit(settle());
            assertThat(store.readHistory(ALL)).hasSize(ENTRIES);
        }
        try (SqliteStore reopened = new SqliteStore(file)) {
            assertThat(reopened.open(Durability.FSYNC).inbound())
                    .containsExactly(new InboundCursor(C, LANE, 7, ENTRIES));
        }
    }

    @Test
    void sendsWithTheirOutEntriesLeaveTheReserveForCursorsWithTheirEntries() {
        try (SqliteStore store =
                SqliteStore.builder(dir.resolve("sends.db")).maxSizeBytes(LIMIT).build()) {
            store.open(Durability.FSYNC);
            long last =
                    fill(store, seq -> new WriteBatch().append(msg(seq)).history(entry(HistoryDirection.OUT, B, seq)));
            assertThat(last).isBetween(50L, 500L);
            // Nothing of the refused send was kept: its message and its entry go together.
            assertThat(store.readHistory(ALL)).hasSize((int) last);
            assertThat(store.readOutbox(B, LANE, 0, 10_000)).hasSize((int) last);

            store.commit(settle());
            assertThat(store.readHistory(ALL)).hasSize((int) last + ENTRIES);
        }
    }

    @Test
    void anOutEntryThatFitsOnlyInTheReserveIsRefusedWithItsMessage() {
        try (SqliteStore store = SqliteStore.builder(dir.resolve("reserve.db"))
                .maxSizeBytes(LIMIT)
                .build()) {
            store.open(Durability.FSYNC);
            long last = fill(store, seq -> new WriteBatch().append(msg(seq)));
            // Frees room for one large message (about 23 pages: a message of 1,000 bytes
            // overflows its leaf), not for it and its entry of the same size; with the
            // reserve (16 pages) there would be room for both.
            store.commit(new WriteBatch().trim(new WriteBatch.Trim(B, LANE, 20)));
            int large = 60_000;
            StoredMessage big = new StoredMessage(B, LANE, last + 1, 0, Map.of(), new byte[large]);
            WriteBatch send = new WriteBatch().append(big).history(entry(HistoryDirection.OUT, B, last + 1, large));
            assertThatThrownBy(() -> store.commit(send)).isInstanceOf(StoreFullException.class);
            assertThat(store.readHistory(ALL)).isEmpty();
            // The message alone fits: the refusal was its entry's, under the append limit.
            store.commit(new WriteBatch().append(big));

            store.commit(settle());
            assertThat(store.readHistory(ALL)).hasSize(ENTRIES);
        }
    }
}
