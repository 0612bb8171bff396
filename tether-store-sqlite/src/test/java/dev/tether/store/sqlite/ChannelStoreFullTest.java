package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Channels;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.ChannelReader;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size limit with channel publishes, as {@link StoreFullTest} with appends: a publish batch that does not fit is
 * refused whole with {@link StoreFullException}, and a full store still takes the trim and the cursor moves that
 * free space (they run under the reserve), after which publishes fit again.
 */
class ChannelStoreFullTest {
    private static final NodeId R = NodeId.of("r");
    private static final String NEWS = "news";
    private static final long LIMIT = 1024 * 1024;

    @TempDir
    Path dir;

    private static ChannelMessage publish(long seq) {
        byte[] payload = new byte[1000];
        return new ChannelMessage(
                NEWS,
                seq,
                seq,
                0,
                Map.of(),
                payload,
                MessageChecksum.of(Channels.lane(NEWS), seq, 0, Map.of(), payload));
    }

    /** Publishes single messages until the store is full; returns the last stored sequence number. */
    private static long fill(SqliteStore store, long last) {
        while (true) {
            try {
                store.commit(new WriteBatch().publish(publish(last + 1)));
                last++;
            } catch (StoreFullException full) {
                return last;
            }
            if (last > 10_000) throw new AssertionError("a " + LIMIT + "-byte store took " + last + " publishes");
        }
    }

    @Test
    void aFullStoreRefusesWholePublishBatchesAndRecoversWhenTheLogIsTrimmed() {
        Path file = dir.resolve("small.db");
        try (SqliteStore store = SqliteStore.builder(file).maxSizeBytes(LIMIT).build()) {
            store.open(Durability.FSYNC);
            store.commit(new WriteBatch().channelReader(WriteBatch.ReaderUpdate.set(NEWS, R, 0)));
            long last = fill(store, 0);
            assertThat(last).isBetween(100L, 1000L);

            WriteBatch mixed = new WriteBatch()
                    .publish(publish(last + 1))
                    .publish(publish(last + 2))
                    .channelReader(WriteBatch.ReaderUpdate.set(NEWS, R, 5));
            assertThatThrownBy(() -> store.commit(mixed)).isInstanceOf(StoreFullException.class);
            assertThat(store.readChannels().logs())
                    .singleElement()
                    .satisfies(log -> assertThat(log.lastSeq()).isEqualTo(last))
                    .satisfies(log -> assertThat(log.readers()).containsExactly(new ChannelReader(NEWS, R, 0)));

            // The reader acknowledged everything: its cursor and the trim fit in a full store and free pages.
            store.commit(new WriteBatch()
                    .channelReader(WriteBatch.ReaderUpdate.set(NEWS, R, last))
                    .trimChannel(new WriteBatch.ChannelTrim(NEWS, last)));
            long more = fill(store, last);
            assertThat(more - last).isGreaterThan(last / 2);
            assertThat(store.readChannel(NEWS, 0, 1).get(0).seq()).isEqualTo(last + 1);
            assertThat(store.readChannels().logs())
                    .containsExactly(new ChannelLog(
                            NEWS, more, last, (more - last) * 1000, List.of(new ChannelReader(NEWS, R, last))));
        }
    }
}
