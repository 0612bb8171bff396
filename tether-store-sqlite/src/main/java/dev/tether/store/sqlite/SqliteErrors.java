package dev.tether.store.sqlite;

import dev.tether.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Turns SQLite failures into {@link StoreException}s whose message names the kind of failure. */
final class SqliteErrors {
    /** Below this much free space on the file system a {@code SQLITE_FULL} is blamed on the disk. */
    private static final long DISK_NEARLY_FULL = 8L << 20;

    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_READONLY = 8;
    static final int SQLITE_IOERR = 10;
    static final int SQLITE_CORRUPT = 11;
    static final int SQLITE_FULL = 13;
    static final int SQLITE_CANTOPEN = 14;
    static final int SQLITE_NOTADB = 26;

    private SqliteErrors() {}

    /**
     * The exception for {@code e}, raised while doing {@code action} ("commit failed", ...) on {@code file};
     * {@code maxSizeBytes} is the configured size limit (0 for none), used to explain a full store.
     */
    static StoreException fail(Path file, String action, SQLException e, long maxSizeBytes) {
        int code = e.getErrorCode() & 0xff;
        if (code == SQLITE_FULL) return full(file, action, e, maxSizeBytes);
        if (code == SQLITE_CORRUPT) {
            return new StoreCorruptException(
                    action + " store " + file + ": the database file is corrupt (" + e.getMessage() + "); "
                            + IntegrityCheck.RECOVERY,
                    file,
                    List.of(String.valueOf(e.getMessage())),
                    e);
        }
        String why = switch (code) {
            case SQLITE_BUSY, SQLITE_LOCKED -> "the database file is locked by another process or connection";
            case SQLITE_READONLY -> "the database file or its directory is read-only";
            case SQLITE_IOERR -> "disk I/O error";
            case SQLITE_CANTOPEN -> "the database file cannot be opened (missing or read-only directory?)";
            case SQLITE_NOTADB -> "the file is not a Tether store: it is not an SQLite database";
            default -> "SQLite error";
        };
        return new StoreException(action + " store " + file + ": " + why + " (" + e.getMessage() + ")", e);
    }

    private static StoreFullException full(Path file, String action, SQLException e, long maxSizeBytes) {
        long free = freeBytes(file);
        String why;
        if (maxSizeBytes > 0 && (free < 0 || free >= DISK_NEARLY_FULL)) {
            why = "it reached its size limit of " + maxSizeBytes + " bytes (maxSizeBytes)";
        } else {
            why = "the disk holding it is full" + (free >= 0 ? " (" + free + " bytes free)" : "");
        }
        return new StoreFullException(
                "store full: " + action + " store " + file + ": " + why
                        + "; nothing of the failed batch was stored, and writes succeed again once acknowledged"
                        + " messages are deleted or space is freed",
                e);
    }

    private static long freeBytes(Path file) {
        try {
            return Files.getFileStore(file.getParent()).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Rolls back the open transaction, if SQLite has not already done so by itself. */
    /** {@code e}, an unchecked throwable, to rethrow: an {@link Error} is thrown from here. */
    static RuntimeException unchecked(Throwable e) {
        if (e instanceof Error err) throw err;
        return (RuntimeException) e;
    }

    static void rollbackQuietly(Connection c, Throwable cause) {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) cause.addSuppressed(e);
        }
    }

    static void closeQuietly(Connection c, Exception cause) {
        try {
            c.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
