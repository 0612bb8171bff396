package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inspector on real store files: what it reports, also while a store has the file open and writes. */
class StoreInspectorTest {
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    @TempDir
    Path dir;

    private static StoredMessage msg(NodeId to, String lane, long seq, int bytes) {
        return new StoredMessage(to, lane, seq, 0, Map.of(), new byte[bytes]);
    }

    private static DeadLetter dead(long seq, String reason) {
        return new DeadLetter(C, "orders", 77, seq, Map.of("k", "v"), new byte[10], 3, reason, 1_700_000_000_000L);
    }

    /** b/default: 1..5 then 1..2 trimmed; c/orders: 1..3; cursors from b and c; three dead letters. */
    private static void fill(SqliteStore store) {
        WriteBatch w = new WriteBatch();
        for (long seq = 1; seq <= 5; seq++) w.append(msg(B, "default", seq, 100));
        for (long seq = 1; seq <= 3; seq++) w.append(msg(C, "orders", seq, 50));
        w.cursor(new InboundCursor(B, "default", 11, 40)).cursor(new InboundCursor(C, "orders", 77, 9));
        w.deadLetter(dead(4, "poison: \"bad\" input\n"))
                .deadLetter(dead(6, "boom"))
                .deadLetter(dead(8, "boom"));
        w.peerEpoch(new WriteBatch.PeerEpoch(B, 11)).peerEpoch(new WriteBatch.PeerEpoch(C, 77));
        store.commit(w);
        store.commit(new WriteBatch().trim(new WriteBatch.Trim(B, "default", 2)));
    }

    @Test
    void reportsBacklogCursorsPeersAndDeadLettersWhileTheStoreIsOpenAndWriting() throws IOException {
        Path file = dir.resolve("node.db");
        try (SqliteStore store = new SqliteStore(file)) {
            long epoch = store.open(Durability.FSYNC).epoch();
            fill(store);

            StoreReport r = StoreInspector.inspect(file, 2, SqliteStore.DEFAULT_BUSY_TIMEOUT);
            assertThat(r.file()).isEqualTo(file);
            assertThat(r.epoch()).isEqualTo(epoch);
            assertThat(r.schemaVersion()).isEqualTo(SqliteStore.SCHEMA_VERSION);
            assertThat(r.fileBytes()).isPositive();
            assertThat(r.outbound())
                    .containsExactly(
                            new StoreReport.Outbound("b", "default", 3, 3, 5, 300, 2, 5),
                            new StoreReport.Outbound("c", "orders", 3, 1, 3, 150, 0, 3));
            assertThat(r.pendingTotal()).isEqualTo(6);
            assertThat(r.inbound())
                    .containsExactly(
                            new StoreReport.Inbound("b", "default", 11, 40),
                            new StoreReport.Inbound("c", "orders", 77, 9));
            assertThat(r.peerEpochs())
                    .containsExactly(new StoreReport.PeerEpoch("b", 11), new StoreReport.PeerEpoch("c", 77));
            assertThat(r.deadLetterCount()).isEqualTo(3);
            assertThat(r.deadLetters())
                    .containsExactly(
                            new StoreReport.DeadLetterSummary(
                                    "c", "orders", 77, 4, 3, "poison: \"bad\" input\n", 1_700_000_000_000L, 10),
                            new StoreReport.DeadLetterSummary("c", "orders", 77, 6, 3, "boom", 1_700_000_000_000L, 10));

            // The store keeps writing: a second report sees the new state; the first is a snapshot.
            store.commit(new WriteBatch().append(msg(B, "default", 6, 100)).trim(new WriteBatch.Trim(C, "orders", 3)));
            StoreReport later = StoreInspector.inspect(file);
            assertThat(later.outbound())
                    .containsExactly(
                            new StoreReport.Outbound("b", "default", 4, 3, 6, 400, 2, 6),
                            new StoreReport.Outbound("c", "orders", 0, 0, 0, 0, 3, 3));
            assertThat(later.deadLetters()).hasSize(3);

            // A write transaction in progress neither blocks the inspector nor shows in its report.
            store.writeWithoutCommit(new WriteBatch().append(msg(B, "default", 7, 100)));
            assertThat(StoreInspector.inspect(file).outbound().get(0).lastSeq()).isEqualTo(6);
            store.crash();
        }
        assertThat(StoreInspector.inspect(file).outbound().get(0).lastAssignedSeq())
                .isEqualTo(6);
    }

    @Test
    void textAndJsonSayTheSame() {
        Path file = dir.resolve("text.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            fill(store);
        }
        StoreReport r = StoreInspector.inspect(file, 1, SqliteStore.DEFAULT_BUSY_TIMEOUT);
        assertThat(r.walBytes()).isZero(); // a cleanly closed store has no write-ahead log left

        assertThat(r.toText())
                .contains("schema version " + SqliteStore.SCHEMA_VERSION + ", epoch " + r.epoch())
                .contains("outbound: 6 pending in 2 streams")
                .contains("  b/default: 3 pending (seq 3..5, 300 bytes), acked 2, last assigned 5")
                .contains("  c/orders: processed 9 (sender epoch 77)")
                .contains("dead letters: 3 (oldest 1 shown)")
                .contains("  c/orders#4 after 3 attempts at 1700000000000 (10 bytes): poison: \"bad\" input");
        String json = r.toJson();
        assertThat(json)
                .startsWith("{\"file\":\"" + file + "\",\"fileBytes\":" + r.fileBytes() + ",\"walBytes\":0,")
                .contains("\"schemaVersion\":" + SqliteStore.SCHEMA_VERSION + ",\"epoch\":" + r.epoch()
                        + ",\"pendingTotal\":6,")
                .contains("{\"peer\":\"b\",\"lane\":\"default\",\"pending\":3,\"firstSeq\":3,\"lastSeq\":5,"
                        + "\"pendingBytes\":300,\"ackedSeq\":2,\"lastAssignedSeq\":5}")
                .contains("\"inbound\":[{\"peer\":\"b\",\"lane\":\"default\",\"senderEpoch\":11,\"processedSeq\":40},")
                .contains("\"peerEpochs\":[{\"peer\":\"b\",\"epoch\":11},{\"peer\":\"c\",\"epoch\":77}]")
                .contains("\"deadLetterCount\":3,\"deadLetters\":[{\"peer\":\"c\",\"lane\":\"orders\","
                        + "\"senderEpoch\":77,\"seq\":4,\"attempts\":3,\"reason\":\"poison: \\\"bad\\\" input\\n\","
                        + "\"atMillis\":1700000000000,\"payloadBytes\":10}]}")
                .doesNotContain(",,")
                .doesNotContain("[,")
                .doesNotContain("{,");
    }

    @Test
    void inspectingChangesNothingAndTakesNoLock() throws IOException {
        Path file = dir.resolve("quiet.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            fill(store);
        }
        byte[] before = Files.readAllBytes(file);
        try (SqliteStore owner = new SqliteStore(file)) {
            owner.open(Durability.FSYNC); // holds the ownership lock; the inspector does not need it
            StoreInspector.inspect(file);
        }
        StoreInspector.inspect(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void filesThatAreNotStoresGetClearErrors() throws Exception {
        assertThatThrownBy(() -> StoreInspector.inspect(dir.resolve("missing.db")))
                .isInstanceOf(StoreException.class)
                .hasMessageEndingWith("missing.db does not exist");
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "hello, this is not a database at all");
        assertThatThrownBy(() -> StoreInspector.inspect(text))
                .hasMessageContaining("is not a Tether store: it is not an SQLite database");
        Path foreign = dir.resolve("foreign.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + foreign);
                var s = c.createStatement()) {
            s.execute("CREATE TABLE t (x)");
        }
        assertThatThrownBy(() -> StoreInspector.inspect(foreign))
                .hasMessageContaining("is not a Tether store: it is an SQLite database with application_id 0");
        Path newer = dir.resolve("newer.db");
        try (SqliteStore store = new SqliteStore(newer)) {
            store.open(Durability.FSYNC);
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + newer);
                var s = c.createStatement()) {
            s.execute("UPDATE meta SET value = 99 WHERE key = 'schema_version'");
        }
        assertThatThrownBy(() -> StoreInspector.inspect(newer))
                .hasMessageContaining(
                        "has schema version 99; this Tether reads versions 1 to " + SqliteStore.SCHEMA_VERSION);
    }
}
