package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.StoreException;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.OutboundState;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.StoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    Path dir;

    @Override
    protected Store newStore() {
        return new SqliteStore(dir.resolve("store-" + FILES.incrementAndGet() + ".db"));
    }

    @Override
    protected Store reopen(Store previous) {
        return crashCopy(previous, dir.resolve("store-" + FILES.incrementAndGet() + ".db"));
    }

    /**
     * A crash snapshot: copies the database file and its write-ahead log as they are now to {@code to}, without closing
     * {@code previous} (an abandoned store stays open until the suite closes it); the copy, when opened, must recover
     * from the log the way it would after the process died. The {@code -shm} index is not copied: SQLite rebuilds it,
     * as after a reboot. Also for the other contract suites on SQLite.
     */
    static SqliteStore crashCopy(Store previous, Path to) {
        Path from = ((SqliteStore) previous).file();
        try {
            Files.copy(from, to);
            Path wal = Path.of(from + "-wal");
            if (Files.exists(wal)) Files.copy(wal, Path.of(to + "-wal"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SqliteStore(to);
    }

    @Test
    void abandonedConnectionLeavesOutboxCursorsAndEpochsForTheNextOpen() {
        Path file = dir.resolve("abandoned.db");
        SqliteStore first = new SqliteStore(file);
        long epoch = first.open(Durability.FSYNC).epoch();
        first.commit(new WriteBatch()
                .append(msg(A, LANE, 1))
                .append(msg(A, LANE, 2))
                .append(msg(A, LANE, 3))
                .cursor(new InboundCursor(B, LANE, 77, 41))
                .peerEpoch(new WriteBatch.PeerEpoch(B, 77)));
        first.commit(new WriteBatch().trim(new WriteBatch.Trim(A, LANE, 1)));
        // The process dies: `first` is abandoned without close (its lock goes with the process).
        first.crash();

        try (SqliteStore second = new SqliteStore(file)) {
            StoredState state = second.open(Durability.FSYNC);
            assertThat(state.epoch()).isEqualTo(epoch);
            assertThat(state.outbound()).containsExactly(new OutboundState(A, LANE, 3, 1));
            assertThat(state.inbound()).containsExactly(new InboundCursor(B, LANE, 77, 41));
            assertThat(state.peerEpochs()).isEqualTo(Map.of(B, 77L));
            assertThat(second.readOutbox(A, LANE, 0, 10))
                    .extracting(StoredMessage::seq)
                    .containsExactly(2L, 3L);
            // numbering continues after the abandoned connection's last commit; a reused number is refused
            assertThatThrownBy(() -> second.commit(new WriteBatch().append(msg(A, LANE, 3))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("reuses");
            second.commit(new WriteBatch().append(msg(A, LANE, 4)));
        }
    }

    @Test
    void epochPersistsAcrossReopenAndIsStoredInMeta() throws SQLException {
        Path file = dir.resolve("epoch.db");
        SqliteStore store = new SqliteStore(file);
        long epoch = store.open(Durability.FSYNC).epoch();
        store.close();

        SqliteStore again = new SqliteStore(file);
        assertThat(again.open(Durability.OS_BUFFERED).epoch()).isEqualTo(epoch);
        again.close();
        assertThat(sql(file, "SELECT value FROM meta WHERE key = 'epoch'")).isEqualTo(epoch);
        assertThat(sql(file, "SELECT value FROM meta WHERE key = 'schema_version'"))
                .isEqualTo(SqliteStore.SCHEMA_VERSION);
        assertThat(sql(file, "PRAGMA application_id")).isEqualTo(SqliteStore.APPLICATION_ID);
    }

    @Test
    void fileIsInWalMode() throws SQLException {
        Path file = dir.resolve("wal.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void durabilityMapsToSynchronousPragma() throws SQLException {
        Map<Durability, Long> expected =
                Map.of(Durability.FSYNC, 2L, Durability.OS_BUFFERED, 1L, Durability.MEMORY, 0L);
        Path file = dir.resolve("sync.db");
        for (Map.Entry<Durability, Long> e : expected.entrySet()) {
            try (SqliteStore store = new SqliteStore(file)) {
                assertThat(store.maxDurability()).isEqualTo(Durability.FSYNC);
                store.open(e.getKey());
                assertThat(pragma(store, "synchronous")).as("%s", e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void newerSchemaVersionIsRefused() throws SQLException {
        Path file = dir.resolve("newer.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.commit(new WriteBatch().cursor(new InboundCursor(A, LANE, 1, 1)));
        }
        sql(file, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");

        SqliteStore store = new SqliteStore(file);
        assertThatThrownBy(() -> store.open(Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("version " + SqliteStore.SCHEMA_VERSION + " supported");
        store.close();
        assertThat(sql(file, "SELECT value FROM meta WHERE key = 'schema_version'"))
                .isEqualTo(99);
    }

    @Test
    void foreignSqliteDatabaseIsRefusedAndLeftAlone() throws SQLException {
        Path file = dir.resolve("foreign.db");
        sql(file, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");

        SqliteStore store = new SqliteStore(file);
        assertThatThrownBy(() -> store.open(Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is not a Tether store")
                .hasMessageContaining("application_id 0");
        store.close();
        assertThat(sql(file, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'"))
                .isZero();
    }

    @Test
    void nonSqliteFileIsRefused() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "just some text, certainly longer than sixteen bytes\n");

        SqliteStore store = new SqliteStore(file);
        assertThatThrownBy(() -> store.open(Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is not a Tether store: it is not an SQLite database");
        store.close();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).startsWith("just some text");
    }

    @Test
    void randomBytesAreRefusedAndLeftAlone() throws IOException {
        long seed = 20261123L;
        System.out.println("randomBytesAreRefusedAndLeftAlone seed " + seed);
        byte[] bytes = new byte[8192];
        new java.util.Random(seed).nextBytes(bytes);
        for (int length : new int[] {1, 15, 16, 8192}) {
            Path file = dir.resolve("random-" + length + ".bin");
            Files.write(file, java.util.Arrays.copyOf(bytes, length));
            SqliteStore store = new SqliteStore(file);
            assertThatThrownBy(() -> store.open(Durability.FSYNC))
                    .as("%d random bytes", length)
                    .isInstanceOf(StoreException.class)
                    .hasMessage("file " + file + " is not a Tether store: it is not an SQLite database");
            store.close();
            assertThat(Files.readAllBytes(file)).isEqualTo(java.util.Arrays.copyOf(bytes, length));
        }
    }

    @Test
    void anotherApplicationsSqliteDatabaseWithAnApplicationIdIsRefused() throws SQLException {
        Path file = dir.resolve("other-app.db");
        sql(file, "PRAGMA application_id = 1234");
        sql(file, "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");

        SqliteStore store = new SqliteStore(file);
        assertThatThrownBy(() -> store.open(Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is not a Tether store: it is an SQLite database with 2 schema objects")
                .hasMessageContaining("application_id 1234");
        store.close();
    }

    /** sysfs refuses new files even to root, so this fails for every user (permission bits do not stop root). */
    @Test
    void directoryOnAReadOnlyFileSystemGivesSpecificError() {
        Path file = Path.of("/sys/tether-test.db");
        assertThat(Files.exists(file)).isFalse();
        SqliteStore store = new SqliteStore(file);
        assertThatThrownBy(() -> store.open(Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot create store /sys/tether-test.db: directory /sys is not writable");
        store.close();
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void directoryThatCannotHoldFilesGivesSpecificError() {
        SqliteStore store = new SqliteStore(Path.of("/proc/tether-test.db"));
        assertThatThrownBy(() -> store.open(Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot create store /proc/tether-test.db: directory /proc");
        store.close();
    }

    @Test
    void lockedFileGivesSpecificError() throws SQLException {
        Path file = dir.resolve("locked.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
        }
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = other.createStatement()) {
            s.execute("PRAGMA locking_mode = EXCLUSIVE");
            s.execute("BEGIN EXCLUSIVE");
            s.execute("INSERT INTO meta (key, value) VALUES ('other', 1)");

            SqliteStore store = new SqliteStore(file, Duration.ofMillis(50));
            assertThatThrownBy(() -> store.open(Durability.FSYNC))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("locked by another process or connection");
            store.close();
            s.execute("ROLLBACK");
        }
    }

    @Test
    void missingDirectoryGivesSpecificError() {
        SqliteStore store = new SqliteStore(dir.resolve("nope").resolve("x.db"));

        assertThatThrownBy(() -> store.open(Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("does not exist");
        store.close();
    }

    @Test
    void useBeforeOpenSecondOpenAndUseAfterCloseThrow() {
        SqliteStore store = new SqliteStore(dir.resolve("life.db"));

        assertThatThrownBy(() -> store.commit(new WriteBatch())).hasMessage("store is not open");
        assertThatThrownBy(() -> store.readOutbox(A, LANE, 0, 1)).hasMessage("store is not open");
        store.open(Durability.FSYNC);
        assertThatThrownBy(() -> store.open(Durability.FSYNC)).hasMessage("store is already open");
        store.close();
        store.close();
        assertThatThrownBy(() -> store.readDeadLetters(1)).hasMessage("store is closed");
    }

    @Test
    void gapAndTrimBeyondLastSeqFailWithoutApplyingAnything() {
        Path file = dir.resolve("rules.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            store.commit(new WriteBatch().append(msg(A, LANE, 1)));

            assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(A, LANE, 3))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("gap");
            assertThatThrownBy(() -> store.commit(new WriteBatch()
                            .append(msg(A, LANE, 2))
                            .cursor(new InboundCursor(B, LANE, 1, 1))
                            .trim(new WriteBatch.Trim(A, LANE, 3))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("beyond");
            store.commit(new WriteBatch().peerEpoch(new WriteBatch.PeerEpoch(C, 5)));
            assertThat(store.readOutbox(A, LANE, 0, 10))
                    .extracting(StoredMessage::seq)
                    .containsExactly(1L);
        }
        try (SqliteStore store = new SqliteStore(file)) {
            assertThat(store.open(Durability.FSYNC).inbound()).isEmpty();
            store.commit(new WriteBatch().append(msg(A, LANE, 2)));
        }
    }

    @Test
    void headerCodecRoundTrips() {
        Map<String, String> headers = Map.of("", "", "k", "välüe", "emoji", "\uD83D\uDE00");
        assertThat(HeaderCodec.decode(HeaderCodec.encode(headers))).isEqualTo(headers);
        assertThat(HeaderCodec.encode(Map.of())).isEmpty();
        assertThat(HeaderCodec.decode(new byte[0])).isEmpty();
        assertThatThrownBy(() -> HeaderCodec.decode(new byte[] {0, 0, 0, 1, 0}))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("corrupt header blob");
    }

    @Test
    void readOutboxPagesLargeStreams() {
        try (SqliteStore store = new SqliteStore(dir.resolve("pages.db"))) {
            store.open(Durability.OS_BUFFERED);
            WriteBatch batch = new WriteBatch();
            for (long seq = 1; seq <= 5_000; seq++) batch.append(msg(A, LANE, seq));
            store.commit(batch);
            store.commit(new WriteBatch().trim(new WriteBatch.Trim(A, LANE, 1_000)));

            List<StoredMessage> page = store.readOutbox(A, LANE, 0, 100);
            assertThat(page).hasSize(100);
            assertThat(page.get(0).seq()).isEqualTo(1_001L);
            assertThat(store.readOutbox(A, LANE, 4_990, 100)).hasSize(11);
        }
    }

    /** Runs one statement on a separate connection; returns the first column of the first row, or 0. */
    private static long sql(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            if (!s.execute(sql)) return 0;
            try (ResultSet rs = s.getResultSet()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static long pragma(SqliteStore store, String name) throws SQLException {
        try (Statement s = store.connection().createStatement()) {
            return StoreSchema.queryLong(s, "PRAGMA " + name);
        }
    }
}
