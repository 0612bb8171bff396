package dev.tether.store.sqlite;

import dev.tether.StoreException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a {@link SqliteStore} file without changing it and reports what it holds ({@link StoreReport}): for
 * operators and for {@code tether inspect}.
 *
 * <p>It works while a node runs the store: it opens the file read-only (SQLite {@code mode=ro}), takes no
 * ownership lock, and reads one snapshot in one read transaction, which in WAL mode never blocks the node's
 * writer and is never blocked by it (a busy timeout covers the short moments when SQLite itself needs a lock,
 * such as recovery after a crash). It needs read access to the file and, as any SQLite reader of a WAL
 * database, to its {@code -wal} and {@code -shm} files or the right to create them.
 *
 * <p>Thread-safety: stateless; each call opens and closes its own connection. Failures: a missing file, a file
 * that is not a Tether store, a schema version newer than this code and SQLite errors each throw a {@link
 * StoreException} saying which.
 */
public final class StoreInspector {
    /** Dead letters listed in full by {@link #inspect(Path)}; the report counts all of them. */
    public static final int DEFAULT_DEAD_LETTERS_SHOWN = 20;

    private StoreInspector() {}

    /** Inspects {@code file}, listing up to {@link #DEFAULT_DEAD_LETTERS_SHOWN} dead letters. */
    public static StoreReport inspect(Path file) {
        return inspect(file, DEFAULT_DEAD_LETTERS_SHOWN, SqliteStore.DEFAULT_BUSY_TIMEOUT);
    }

    /**
     * Inspects {@code file}, listing up to {@code deadLettersShown} dead letters (oldest first) and waiting up to
     * {@code busyTimeout} for a lock SQLite needs.
     *
     * @throws StoreException if the file is missing, is not a Tether store, is newer than this code, or cannot
     *     be read
     */
    public static StoreReport inspect(Path file, int deadLettersShown, Duration busyTimeout) {
        Path f = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        if (deadLettersShown < 0) throw new IllegalArgumentException("deadLettersShown must not be negative");
        checkIsSqlite(f);
        try (Connection c = DriverManager.getConnection(readOnlyUrl(f));
                Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
            s.execute("BEGIN"); // one snapshot for every query below
            try {
                return read(f, c, s, deadLettersShown);
            } finally {
                s.execute("COMMIT");
            }
        } catch (SQLException e) {
            throw SqliteErrors.fail(f, "cannot inspect", e, 0);
        }
    }

    /** A read-only SQLite URI for {@code file}; the path is percent-encoded by {@link URI}. */
    private static String readOnlyUrl(Path file) {
        return "jdbc:sqlite:" + file.toUri().toString().replaceFirst("^file:///", "file:/") + "?mode=ro";
    }

    private static void checkIsSqlite(Path file) {
        if (!Files.exists(file)) throw new StoreException("store file " + file + " does not exist");
        if (Files.isDirectory(file)) throw new StoreException("store file " + file + " is a directory");
        StoreFiles.checkSqliteHeader(file, false);
    }

    private static StoreReport read(Path file, Connection c, Statement s, int deadLettersShown) throws SQLException {
        int applicationId = (int) single(s, "PRAGMA application_id");
        if (applicationId != SqliteStore.APPLICATION_ID
                || single(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") == 0) {
            throw new StoreException("file " + file + " is not a Tether store: it is an SQLite database with"
                    + " application_id " + applicationId + " (expected " + SqliteStore.APPLICATION_ID + ")");
        }
        long version = single(s, "SELECT coalesce((SELECT value FROM meta WHERE key = 'schema_version'), -1)");
        if (version > SqliteStore.SCHEMA_VERSION || version < 1) {
            throw new StoreException("store file " + file + " has schema version " + version
                    + "; this Tether reads versions 1 to " + SqliteStore.SCHEMA_VERSION);
        }
        long epoch = single(s, "SELECT coalesce((SELECT value FROM meta WHERE key = 'epoch'), 0)");
        List<StoreReport.Outbound> outbound = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT s.peer, s.lane, count(o.seq), coalesce(min(o.seq), 0),"
                + " coalesce(max(o.seq), 0), coalesce(sum(length(o.headers) + length(o.payload)), 0),"
                + " s.acked_seq, s.last_seq FROM streams s LEFT JOIN outbox o ON o.peer = s.peer AND o.lane = s.lane"
                + " GROUP BY s.peer, s.lane ORDER BY s.peer, s.lane")) {
            while (rs.next()) {
                outbound.add(new StoreReport.Outbound(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7),
                        rs.getLong(8)));
            }
        }
        List<StoreReport.Inbound> inbound = new ArrayList<>();
        try (ResultSet rs =
                s.executeQuery("SELECT peer, lane, sender_epoch, processed_seq FROM cursors ORDER BY peer, lane")) {
            while (rs.next()) {
                inbound.add(new StoreReport.Inbound(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
            }
        }
        List<StoreReport.PeerEpoch> peers = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT peer, epoch FROM peers ORDER BY peer")) {
            while (rs.next()) peers.add(new StoreReport.PeerEpoch(rs.getString(1), rs.getLong(2)));
        }
        long deadCount = single(s, "SELECT count(*) FROM dead_letters");
        List<StoreReport.DeadLetterSummary> dead = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT peer, lane, sender_epoch, seq, attempts, reason,"
                + " at_millis, length(payload) FROM dead_letters ORDER BY id LIMIT ?")) {
            p.setInt(1, deadLettersShown);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    dead.add(new StoreReport.DeadLetterSummary(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getInt(5),
                            rs.getString(6),
                            rs.getLong(7),
                            rs.getLong(8)));
                }
            }
        }
        return new StoreReport(
                file,
                size(file),
                size(file.resolveSibling(file.getFileName() + "-wal")),
                (int) version,
                epoch,
                outbound,
                inbound,
                peers,
                deadCount,
                dead);
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) throw new SQLException("no result for " + sql);
            return rs.getLong(1);
        }
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0; // the -wal file may vanish between the two calls when the node checkpoints
        }
    }
}
