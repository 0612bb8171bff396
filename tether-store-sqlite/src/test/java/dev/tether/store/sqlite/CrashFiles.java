package dev.tether.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files of the crash tests: a fresh directory per test and seed, and single values read from a node's SQLite file. */
final class CrashFiles {
    private CrashFiles() {}

    /** {@code target/crash-tests/<name>-<seed>/}, emptied if a run of the same seed left it. */
    static Path freshDir(String name, long seed) throws IOException {
        Path dir = Path.of("target", "crash-tests", name + "-" + seed).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    /** The first column of the first row {@code sql} answers from {@code file}, as a number; 0 if no row. */
    static long queryLong(Path file, String sql) throws SQLException {
        String v = queryText(file, sql);
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    /** The first column of the first row {@code sql} answers from {@code file}, as text; "" if no row. */
    static String queryText(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }
}
