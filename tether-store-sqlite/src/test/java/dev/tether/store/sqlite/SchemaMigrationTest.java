package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import dev.tether.bus.MessageKind;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMembership;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.ChannelReader;
import dev.tether.spi.KeyValue;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store file of schema version 1 (before message checksums) opens: it is migrated to the current version, its
 * outbox rows come back {@link MessageChecksum#UNCHECKED}, and rows appended after the migration keep their
 * checksum. A file of version 2 (before the key-value area) is migrated through version 3 to the current version:
 * it gains the key-value area and the channel tables and keeps its outbox. A file of version 3 (before channels)
 * gains the channel tables and keeps its outbox and key-value entries. A file of version 4 (before outbox rows kept
 * when they were accepted) keeps its outbox, whose rows read back with acceptance time 0 (unknown), and rows appended
 * after the migration keep theirs. A file of version 5 (before the history) gains an empty history and keeps the rest;
 * so do the older ones, through the versions between. A file of version 6 has its key-value index by expiry replaced
 * by the one by namespace and expiry (Store rule 29). Each older file is written here with exactly the tables its
 * version created.
 */
class SchemaMigrationTest {
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    /** Exactly the tables schema version 1 created, with one pending message to b. */
    private static void writeVersion1(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("PRAGMA application_id = " + SqliteStore.APPLICATION_ID);
            s.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID");
            s.execute("CREATE TABLE outbox (peer TEXT NOT NULL, lane TEXT NOT NULL, seq INTEGER NOT NULL,"
                    + " expires_at INTEGER NOT NULL, headers BLOB NOT NULL, payload BLOB NOT NULL,"
                    + " PRIMARY KEY (peer, lane, seq)) WITHOUT ROWID");
            s.execute("CREATE TABLE streams (peer TEXT NOT NULL, lane TEXT NOT NULL, last_seq INTEGER NOT NULL,"
                    + " acked_seq INTEGER NOT NULL, PRIMARY KEY (peer, lane)) WITHOUT ROWID");
            s.execute("CREATE TABLE cursors (peer TEXT NOT NULL, lane TEXT NOT NULL, sender_epoch INTEGER NOT NULL,"
                    + " processed_seq INTEGER NOT NULL, PRIMARY KEY (peer, lane)) WITHOUT ROWID");
            s.execute("CREATE TABLE dead_letters (id INTEGER PRIMARY KEY, peer TEXT NOT NULL, lane TEXT NOT NULL,"
                    + " sender_epoch INTEGER NOT NULL, seq INTEGER NOT NULL, headers BLOB NOT NULL,"
                    + " payload BLOB NOT NULL, attempts INTEGER NOT NULL, reason TEXT,"
                    + " at_millis INTEGER NOT NULL)");
            s.execute("CREATE TABLE peers (peer TEXT PRIMARY KEY, epoch INTEGER NOT NULL) WITHOUT ROWID");
            s.execute("INSERT INTO meta (key, value) VALUES ('schema_version', 1), ('epoch', 4242)");
            s.execute("INSERT INTO streams (peer, lane, last_seq, acked_seq) VALUES ('b', 'default', 1, 0)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO outbox (peer, lane, seq, expires_at, headers,"
                    + " payload) VALUES ('b', 'default', 1, 0, ?, ?)")) {
                p.setBytes(1, HeaderCodec.encode(Map.of("k", "v")));
                p.setBytes(2, "old".getBytes(StandardCharsets.UTF_8));
                p.executeUpdate();
            }
        }
    }

    @Test
    void aVersion1StoreIsMigratedAndItsRowsReadBackUnchecked() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        writeVersion1(file);
        try (SqliteStore store = new SqliteStore(file)) {
            assertThat(store.open(Durability.FSYNC).epoch()).isEqualTo(4242);
            List<StoredMessage> old = store.readOutbox(B, "default", 1, 10);
            assertThat(old).singleElement().satisfies(m -> {
                assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("old");
                assertThat(m.headers()).containsExactlyEntriesOf(Map.of("k", "v"));
                assertThat(m.checksum()).isEqualTo(MessageChecksum.UNCHECKED);
            });
            StoredMessage fresh = new StoredMessage(B, "default", 2, 0, Map.of(), "new".getBytes());
            store.commit(new WriteBatch().append(fresh));
            assertThat(store.readOutbox(B, "default", 2, 1))
                    .singleElement()
                    .extracting(StoredMessage::checksum)
                    .isEqualTo(fresh.checksum());
        }
        assertThat(schemaVersion(file)).isEqualTo(SqliteStore.SCHEMA_VERSION).isEqualTo(7);
    }

    /** The schema version recorded in {@code file}'s meta table. */
    private static long schemaVersion(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    /** Schema version 2: version 1 plus the outbox checksum, with one checked message to b. */
    private static void writeVersion2(Path file, StoredMessage pending) throws SQLException {
        writeVersion1(file);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE outbox ADD COLUMN checksum INTEGER");
            s.execute("UPDATE meta SET value = 2 WHERE key = 'schema_version'");
            s.execute("DELETE FROM outbox");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO outbox (peer, lane, seq, expires_at, headers,"
                    + " payload, checksum) VALUES ('b', 'default', 1, 0, ?, ?, ?)")) {
                p.setBytes(1, HeaderCodec.encode(pending.headers()));
                p.setBytes(2, pending.payload());
                p.setLong(3, pending.checksum());
                p.executeUpdate();
            }
        }
    }

    @Test
    void aVersion2StoreIsMigratedThroughVersion3AndGainsTheKeyValueAreaAndTheChannelTables() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        StoredMessage pending = new StoredMessage(B, "default", 1, 0, Map.of("k", "v"), "kept".getBytes());
        writeVersion2(file, pending);
        KeyValue kv = new KeyValue("_idem", "b|key-1", "v".getBytes(StandardCharsets.UTF_8), 0);
        try (SqliteStore store = new SqliteStore(file)) {
            assertThat(store.open(Durability.FSYNC).epoch()).isEqualTo(4242);
            assertThat(store.readKeys("_idem", null, 1, 10)).isEmpty();
            assertThat(store.readChannels().logs()).isEmpty();
            assertThat(store.readOutbox(B, "default", 1, 10))
                    .singleElement()
                    .extracting(StoredMessage::checksum)
                    .isEqualTo(pending.checksum());
            store.commit(new WriteBatch().put(kv));
            commitChannelWrites(store);
        }
        assertThat(schemaVersion(file)).isEqualTo(7);
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.readKeys("_idem", null, 1, 10)).containsExactly(kv);
            assertChannelWritesStored(store);
        }
    }

    /**
     * Schema version 3: version 2 plus the key-value area (table {@code kv} and its expiry index, as version 3
     * created them), with the message of {@link #writeVersion2} and {@code kv} stored.
     */
    private static void writeVersion3(Path file, StoredMessage pending, KeyValue kv) throws SQLException {
        writeVersion2(file, pending);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kv (namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
                    + " expires_at INTEGER NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID");
            s.execute("CREATE INDEX kv_expiry ON kv (expires_at) WHERE expires_at > 0");
            s.execute("UPDATE meta SET value = 3 WHERE key = 'schema_version'");
            try (PreparedStatement p =
                    c.prepareStatement("INSERT INTO kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)")) {
                p.setString(1, kv.namespace());
                p.setString(2, kv.key());
                p.setBytes(3, kv.value());
                p.setLong(4, kv.expiresAtMillis());
                p.executeUpdate();
            }
        }
    }

    @Test
    void aVersion3StoreGainsTheChannelTablesAndKeepsItsOutboxAndKeys() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        StoredMessage pending = new StoredMessage(B, "default", 1, 0, Map.of("k", "v"), "kept".getBytes());
        KeyValue kv = new KeyValue("_idem", "b|key-1", "v".getBytes(StandardCharsets.UTF_8), 0);
        writeVersion3(file, pending, kv);
        try (SqliteStore store = new SqliteStore(file)) {
            assertThat(store.open(Durability.FSYNC).epoch()).isEqualTo(4242);
            assertThat(store.readKeys("_idem", null, 1, 10)).containsExactly(kv);
            assertThat(store.readChannels().logs()).isEmpty();
            assertThat(store.readOutbox(B, "default", 1, 10))
                    .singleElement()
                    .extracting(StoredMessage::checksum)
                    .isEqualTo(pending.checksum());
            commitChannelWrites(store);
        }
        assertThat(schemaVersion(file)).isEqualTo(7);
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.readKeys("_idem", null, 1, 10)).containsExactly(kv);
            assertChannelWritesStored(store);
        }
    }

    /** A publish on channel "news", b as its reader and this node's membership, in one batch. */
    private static void commitChannelWrites(SqliteStore store) {
        ChannelMessage published =
                new ChannelMessage("news", 1, 1000, 0, Map.of(), "hi".getBytes(), MessageChecksum.UNCHECKED);
        store.commit(new WriteBatch()
                .publish(published)
                .channelReader(WriteBatch.ReaderUpdate.set("news", B, 0))
                .channelMembership(WriteBatch.MembershipUpdate.join("news", ChannelRole.WRITE)));
    }

    /** What {@link #commitChannelWrites} stored, as a reopened store reads it back. */
    private static void assertChannelWritesStored(SqliteStore store) {
        StoredChannels channels = store.readChannels();
        assertThat(channels.memberships()).containsExactly(new ChannelMembership("news", ChannelRole.WRITE));
        assertThat(channels.logs())
                .containsExactly(new ChannelLog("news", 1, 0, 2, List.of(new ChannelReader("news", B, 0))));
        assertThat(store.readChannel("news", 1, 10))
                .singleElement()
                .satisfies(m -> assertThat(m.payload()).isEqualTo("hi".getBytes()));
    }

    /** Schema version 4: version 3 plus the channel tables, as version 4 created them. */
    private static void writeVersion4(Path file, StoredMessage pending, KeyValue kv) throws SQLException {
        writeVersion3(file, pending, kv);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE channel_log (channel TEXT NOT NULL, seq INTEGER NOT NULL,"
                    + " published_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, headers BLOB NOT NULL,"
                    + " payload BLOB NOT NULL, checksum INTEGER, PRIMARY KEY (channel, seq)) WITHOUT ROWID");
            s.execute("CREATE TABLE channel_logs (channel TEXT PRIMARY KEY, last_seq INTEGER NOT NULL,"
                    + " trimmed_seq INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID");
            s.execute("CREATE TABLE channel_readers (channel TEXT NOT NULL, reader TEXT NOT NULL,"
                    + " acked_seq INTEGER NOT NULL, PRIMARY KEY (channel, reader)) WITHOUT ROWID");
            s.execute("CREATE TABLE channel_members (channel TEXT PRIMARY KEY, role TEXT NOT NULL) WITHOUT ROWID");
            s.execute("UPDATE meta SET value = 4 WHERE key = 'schema_version'");
        }
    }

    @Test
    void aVersion4StoreKeepsItsOutboxWithUnknownAcceptanceTimesAndStoresThemFromNowOn() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        StoredMessage pending = new StoredMessage(B, "default", 1, 0, Map.of("k", "v"), "kept".getBytes());
        KeyValue kv = new KeyValue("_idem", "b|key-1", "v".getBytes(StandardCharsets.UTF_8), 0);
        writeVersion4(file, pending, kv);
        StoredMessage fresh =
                new StoredMessage(B, "default", 2, 0, Map.of(), "new".getBytes()).acceptedAt(1_700_000_000_123L);
        try (SqliteStore store = new SqliteStore(file)) {
            assertThat(store.open(Durability.FSYNC).epoch()).isEqualTo(4242);
            assertThat(store.readKeys("_idem", null, 1, 10)).containsExactly(kv);
            assertThat(store.readOutbox(B, "default", 1, 10)).singleElement().satisfies(m -> {
                assertThat(m.checksum()).isEqualTo(pending.checksum());
                assertThat(m.acceptedAtMillis()).isZero();
            });
            store.commit(new WriteBatch().append(fresh));
        }
        assertThat(schemaVersion(file)).isEqualTo(7);
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.readOutbox(B, "default", 1, 10))
                    .extracting(StoredMessage::seq, StoredMessage::acceptedAtMillis)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(1L, 0L),
                            org.assertj.core.groups.Tuple.tuple(2L, 1_700_000_000_123L));
        }
    }

    /** Schema version 5: version 4 plus the outbox acceptance time, with a message accepted at a known time. */
    private static void writeVersion5(Path file, StoredMessage pending, KeyValue kv) throws SQLException {
        writeVersion4(file, pending, kv);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE outbox ADD COLUMN accepted_at INTEGER");
            s.execute("UPDATE outbox SET accepted_at = 1700000000000");
            s.execute("UPDATE meta SET value = 5 WHERE key = 'schema_version'");
        }
    }

    @Test
    void aVersion5StoreGainsAnEmptyHistoryAndKeepsItsOutbox() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        StoredMessage pending = new StoredMessage(B, "default", 1, 0, Map.of("k", "v"), "kept".getBytes());
        KeyValue kv = new KeyValue("_idem", "b|key-1", "v".getBytes(StandardCharsets.UTF_8), 0);
        writeVersion5(file, pending, kv);
        HistoryEntry entry = new HistoryEntry(
                0,
                1_700_000_000_500L,
                HistoryDirection.OUT,
                MessageKind.DIRECT,
                B,
                null,
                null,
                null,
                null,
                "default",
                2,
                null,
                3,
                Map.of(),
                null,
                false);
        try (SqliteStore store = new SqliteStore(file)) {
            assertThat(store.open(Durability.FSYNC).epoch()).isEqualTo(4242);
            assertThat(store.readKeys("_idem", null, 1, 10)).containsExactly(kv);
            assertThat(store.readOutbox(B, "default", 1, 10))
                    .singleElement()
                    .extracting(StoredMessage::acceptedAtMillis)
                    .isEqualTo(1_700_000_000_000L);
            assertThat(store.historySummary()).isEqualTo(HistoryStats.EMPTY);
            store.commit(new WriteBatch().history(entry));
        }
        assertThat(schemaVersion(file)).isEqualTo(7);
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.readHistory(HistoryQuery.builder().build()))
                    .singleElement()
                    .satisfies(e -> assertThat(e.withId(0)).isEqualTo(entry));
        }
    }

    /** Schema version 6: version 5 plus the history. */
    private static void writeVersion6(Path file, StoredMessage pending, KeyValue kv) throws SQLException {
        writeVersion5(file, pending, kv);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            for (String sql : HistoryTable.CREATE) s.execute(sql);
            s.execute("UPDATE meta SET value = 6 WHERE key = 'schema_version'");
        }
    }

    private static List<String> kvIndexes(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'kv' AND sql IS NOT NULL")) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) names.add(rs.getString(1));
            return names;
        }
    }

    @Test
    void aVersion6StoreGetsTheKeyValueIndexByNamespaceAndExpiry() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        StoredMessage pending = new StoredMessage(B, "default", 1, 0, Map.of(), "kept".getBytes());
        KeyValue forever = new KeyValue("_idem", "b|forever", "v".getBytes(StandardCharsets.UTF_8), 0);
        writeVersion6(file, pending, forever);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement p = c.prepareStatement("INSERT INTO kv VALUES ('_idem', ?, x'76', ?)")) {
            for (int i = 1; i <= 50; i++) {
                p.setString(1, "b|k" + i);
                p.setLong(2, 1000 + i);
                p.executeUpdate();
            }
        }
        assertThat(kvIndexes(file)).containsExactly("kv_expiry");

        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.readNewestKeys("_idem", 1000, 3))
                    .extracting(KeyValue::key)
                    .containsExactly("b|k49", "b|k50", "b|forever");
            store.commit(new WriteBatch().removeExpiredKeys(1048));
            assertThat(store.readNewestKeys("_idem", 0, 100))
                    .extracting(KeyValue::key)
                    .containsExactly("b|k49", "b|k50", "b|forever");
            assertThat(store.readOutbox(B, "default", 1, 10)).hasSize(1);
        }
        assertThat(schemaVersion(file)).isEqualTo(7);
        assertThat(kvIndexes(file)).containsExactly("kv_newest");
    }

    @Test
    void aVersion1StoreGainsTheHistoryThroughEveryVersion() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        writeVersion1(file);
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            assertThat(store.historySummary()).isEqualTo(HistoryStats.EMPTY);
            store.commit(new WriteBatch()
                    .history(new HistoryEntry(
                            0,
                            5,
                            HistoryDirection.IN,
                            MessageKind.REQUEST,
                            B,
                            null,
                            "x",
                            null,
                            "h",
                            "_a.x",
                            1,
                            Outcome.PROCESSED,
                            0,
                            Map.of(),
                            null,
                            false)));
            assertThat(store.historySummary().entries()).isEqualTo(1);
        }
    }
}
