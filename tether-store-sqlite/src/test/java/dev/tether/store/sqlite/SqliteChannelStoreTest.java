package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Channels;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.ChannelStoreContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The channel contract on SQLite files, and "stored once" measured in a real file. */
class SqliteChannelStoreTest extends ChannelStoreContract {
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    Path dir;

    @Override
    protected Store newStore() {
        return new SqliteStore(dir.resolve("store-" + FILES.incrementAndGet() + ".db"));
    }

    /** A crash snapshot, as {@link SqliteStoreTest#crashCopy}. */
    @Override
    protected Store reopen(Store previous) {
        return SqliteStoreTest.crashCopy(previous, dir.resolve("store-" + FILES.incrementAndGet() + ".db"));
    }

    /** What one publisher's file holds after the same publishes with a given number of readers. */
    private record Footprint(long logRows, long logPayloadBytes, long readerRows, long outboxRows, long pages) {}

    /**
     * 2,000 publishes of 100 bytes in batches of 100, each batch also moving every reader's cursor (as acks would):
     * the log holds one row per publish and the file the same number of pages whether there is 1 reader or 64; a
     * reader costs one small row, not a copy.
     */
    @Test
    void aPublishIsStoredOnceWhateverTheNumberOfReaders() throws SQLException {
        Footprint one = publishWithReaders(1);
        Footprint many = publishWithReaders(64);

        assertThat(one.logRows()).isEqualTo(2_000);
        assertThat(many.logRows()).isEqualTo(2_000);
        assertThat(many.logPayloadBytes()).isEqualTo(one.logPayloadBytes()).isEqualTo(200_000);
        assertThat(many.outboxRows()).isZero();
        assertThat(many.readerRows()).isEqualTo(64);
        // 63 more reader rows of about 20 bytes fit in a page or two; a copy per reader would be 63 x 200 KB.
        assertThat(many.pages()).isLessThanOrEqualTo(one.pages() + 2);
    }

    private Footprint publishWithReaders(int readers) throws SQLException {
        Path file = dir.resolve("once-" + readers + ".db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            long seq = 0;
            for (int batch = 0; batch < 20; batch++) {
                WriteBatch b = new WriteBatch();
                for (int i = 0; i < 100; i++) b.publish(publish(++seq));
                for (int r = 0; r < readers; r++) {
                    b.channelReader(WriteBatch.ReaderUpdate.set("news", NodeId.of("reader-" + r), seq - 100));
                }
                store.commit(b);
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            return new Footprint(
                    count(s, "SELECT count(*) FROM channel_log"),
                    count(s, "SELECT sum(length(payload)) FROM channel_log"),
                    count(s, "SELECT count(*) FROM channel_readers"),
                    count(s, "SELECT count(*) FROM outbox"),
                    count(s, "PRAGMA page_count"));
        }
    }

    private static ChannelMessage publish(long seq) {
        byte[] payload = new byte[100];
        payload[0] = (byte) seq;
        return new ChannelMessage(
                "news",
                seq,
                seq,
                0,
                Map.of(),
                payload,
                MessageChecksum.of(Channels.lane("news"), seq, 0, Map.of(), payload));
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }
}
