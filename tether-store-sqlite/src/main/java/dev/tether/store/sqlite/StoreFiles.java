package dev.tether.store.sqlite;

import dev.tether.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Checks of a store file and its directory before SQLite opens it, so that each problem gets its own message. */
final class StoreFiles {
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private StoreFiles() {}

    /** Checks what the lock file needs: an existing, writable directory (the lock reports what else fails). */
    static void checkDirectory(Path file) {
        if (Files.isDirectory(file)) throw new StoreException("store file " + file + " is a directory");
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new StoreException("cannot create store " + file + ": directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new StoreException("cannot create store " + file + ": directory " + dir + " is not writable"
                    + " (SQLite also needs to create its -wal and -shm files there)");
        }
    }

    /** Checks that an existing {@code file} can be read and written and starts like an SQLite database. */
    static void checkExistingFile(Path file) {
        if (!Files.exists(file)) return;
        if (!Files.isReadable(file)) throw new StoreException("store file " + file + " is not readable");
        if (!Files.isWritable(file)) throw new StoreException("store file " + file + " is read-only");
        checkSqliteHeader(file, true);
    }

    /**
     * Refuses {@code file} unless it starts with SQLite's header; an empty file passes if {@code emptyIsFine}
     * (SQLite turns it into a database).
     */
    static void checkSqliteHeader(Path file, boolean emptyIsFine) {
        byte[] header = new byte[SQLITE_HEADER.length];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(header, 0, header.length);
        } catch (IOException e) {
            throw new StoreException("cannot read store file " + file + ": " + e.getMessage(), e);
        }
        if (n == 0 && emptyIsFine) return;
        if (n < header.length || !Arrays.equals(header, SQLITE_HEADER)) {
            throw new StoreException("file " + file + " is not a Tether store: it is not an SQLite database");
        }
    }
}
