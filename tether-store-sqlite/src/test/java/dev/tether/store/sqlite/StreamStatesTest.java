package dev.tether.store.sqlite;

import static dev.tether.store.sqlite.AppTable.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.spi.OutboundState;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams' rows the store keeps in memory ({@link StreamStates}) follow what is committed: a batch that was
 * written and then rolled back (a failed commit, a staged batch under a commit that fails validation) leaves them
 * as they were, so the next commit continues from the stored sequence numbers, and what the store reopens with
 * matches.
 */
class StreamStatesTest {
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    @Test
    void aRolledBackBatchLeavesTheStreamsAsCommitted() {
        Path file = dir.resolve("s.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.commit(new WriteBatch().append(message(1)).append(message(2)));
            assertThatThrownBy(() ->
                            store.failCommit(new WriteBatch().append(message(3)).trim(new WriteBatch.Trim(B, "l", 2))))
                    .isInstanceOf(StoreException.class);
            store.commit(new WriteBatch().append(message(3)).trim(new WriteBatch.Trim(B, "l", 1)));
            store.stage(new WriteBatch().append(message(4)));
            assertThatThrownBy(() -> store.commit(new WriteBatch().append(message(6))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("leaves a gap (last assigned is 4)");
            store.commit(new WriteBatch().append(message(4)).trim(new WriteBatch.Trim(B, "l", 2)));
            assertThatThrownBy(() -> store.commit(new WriteBatch().append(message(4))))
                    .hasMessageContaining("reuses a sequence number (last assigned is 4)");
            store.commit(new WriteBatch().append(message(5)));
        }
        try (SqliteStore store = new SqliteStore(file)) {
            assertThat(store.open(Durability.FSYNC).outbound()).containsExactly(new OutboundState(B, "l", 5, 2));
            assertThat(store.readOutbox(B, "l", 0, 10))
                    .extracting(StoredMessage::seq)
                    .containsExactly(3L, 4L, 5L);
        }
    }
}
