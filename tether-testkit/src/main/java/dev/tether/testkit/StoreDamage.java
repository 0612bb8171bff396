package dev.tether.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * Damages an SQLite store file the way a failing disk or a stray write would: random bytes over the start of one
 * page of a table's b-tree (its header and cell pointers), so that SQLite's {@code quick_check} reports the file
 * malformed and reads through that page fail with {@code SQLITE_CORRUPT}. Needs an SQLite JDBC driver on the
 * class path (to find the table's pages) and a store that is closed and checkpointed (no {@code -wal} content),
 * since only the main file is changed. Not thread-safe against other users of the file.
 */
public final class StoreDamage {
    /** Bytes overwritten at the start of the damaged page. */
    public static final int DAMAGED_BYTES = 512;

    private StoreDamage() {}

    /**
     * Overwrites the first {@link #DAMAGED_BYTES} bytes of a page of {@code table} in {@code db} with bytes from
     * {@code Random(seed)}: the rightmost child of the table's root if the root is an interior page, else the
     * root itself.
     *
     * @return the number of the damaged page (1-based, as SQLite counts)
     */
    public static long corruptPageOf(Path db, String table, long seed) {
        Path wal = Path.of(db + "-wal");
        try {
            if (Files.exists(wal) && Files.size(wal) > 0) {
                throw new IllegalStateException(wal + " is not empty: close the store before damaging it");
            }
            long[] rootAndPageSize = rootPage(db, table);
            int pageSize = (int) rootAndPageSize[1];
            try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
                long page = rootAndPageSize[0];
                byte[] root = new byte[pageSize];
                f.seek((page - 1) * pageSize);
                f.readFully(root);
                int header = page == 1 ? 100 : 0;
                int type = root[header];
                if (type == 2 || type == 5)
                    page = ByteBuffer.wrap(root, header + 8, 4).getInt() & 0xffffffffL;
                byte[] garbage = new byte[DAMAGED_BYTES];
                new Random(seed).nextBytes(garbage);
                f.seek((page - 1) * pageSize);
                f.write(garbage);
                f.getFD().sync();
                return page;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Flips the lowest bit of the byte in the middle of the only occurrence of {@code marker} in {@code db}: a
     * changed byte inside a stored value (a payload), which SQLite's own checks cannot see. The store must be
     * closed and checkpointed.
     *
     * @return the offset of the flipped byte in the file
     * @throws IllegalStateException if {@code marker} occurs in the file not exactly once
     */
    public static long flipByteInside(Path db, byte[] marker) {
        try {
            byte[] file = Files.readAllBytes(db);
            int at = indexOf(file, marker, 0);
            if (at < 0 || indexOf(file, marker, at + 1) >= 0) {
                throw new IllegalStateException(
                        "the marker occurs " + (at < 0 ? "not" : "more than once") + " in " + db);
            }
            long offset = at + marker.length / 2;
            try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
                f.seek(offset);
                int b = f.read();
                f.seek(offset);
                f.write(b ^ 1);
                f.getFD().sync();
            }
            return offset;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static long[] rootPage(Path db, String table) {
        String url = "jdbc:sqlite:" + db.toUri().toString().replaceFirst("^file:///", "file:/") + "?mode=ro";
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement p = c.prepareStatement("SELECT rootpage FROM sqlite_master WHERE name = ?");
                Statement s = c.createStatement()) {
            p.setString(1, table);
            long root;
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) throw new IllegalArgumentException("no table " + table + " in " + db);
                root = rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
                rs.next();
                return new long[] {root, rs.getLong(1)};
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the schema of " + db + ": " + e.getMessage(), e);
        }
    }
}
