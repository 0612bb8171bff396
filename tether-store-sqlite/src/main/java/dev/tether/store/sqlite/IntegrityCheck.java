package dev.tether.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The check a store file passes before a node uses it: SQLite's {@code PRAGMA quick_check}, which reads every
 * page once and verifies the structure of each b-tree (page format, cell bounds, free lists, row counts), but
 * not that index entries match their rows. It reads the whole file, so its time grows with the file's size
 * (docs/OPERATIONS.md gives figures); it does not detect changed bytes inside a stored value.
 */
final class IntegrityCheck {
    /** Problems listed in the exception; SQLite stops after this many. */
    static final int MAX_PROBLEMS = 5;

    static final String RECOVERY = "see \"A corrupt store\" in docs/OPERATIONS.md for the recovery steps";

    private IntegrityCheck() {}

    /**
     * Runs the check on {@code c}, a fresh connection to {@code file}, waiting up to {@code busyTimeout} for a lock
     * SQLite needs (recovering the write-ahead log of a crashed node, for example).
     *
     * @throws StoreCorruptException if SQLite reports any problem, or fails with {@code SQLITE_CORRUPT} while
     *     checking
     * @throws SQLException for any other SQLite failure
     */
    static void verify(Connection c, Path file, Duration busyTimeout) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
            try (ResultSet rs = s.executeQuery("PRAGMA quick_check(" + MAX_PROBLEMS + ")")) {
                while (rs.next()) problems.add(rs.getString(1));
            }
        } catch (SQLException e) {
            if ((e.getErrorCode() & 0xff) != SqliteErrors.SQLITE_CORRUPT) throw e;
            throw corrupt(file, List.of(String.valueOf(e.getMessage())), e);
        }
        if (problems.equals(List.of("ok"))) return;
        if (problems.isEmpty()) problems.add("quick_check returned nothing");
        throw corrupt(file, problems, null);
    }

    static StoreCorruptException corrupt(Path file, List<String> problems, Throwable cause) {
        return new StoreCorruptException(
                "store " + file + " is corrupt (SQLite quick_check: " + String.join("; ", problems)
                        + "); the node does not start on a damaged store: " + RECOVERY,
                file,
                problems,
                cause);
    }
}
