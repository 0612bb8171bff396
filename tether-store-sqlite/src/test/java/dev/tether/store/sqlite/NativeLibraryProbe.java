package dev.tether.store.sqlite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A child process for {@link SqliteNativeLibraryTest}: uses the cache directory given as its argument (or none with
 * {@code --no-cache}), opens an SQLite connection, and prints which library it loaded and how many libraries
 * sqlite-jdbc extracted into {@code java.io.tmpdir} (sqlite-jdbc deletes those at exit, so it looks while running).
 */
final class NativeLibraryProbe {
    private NativeLibraryProbe() {}

    public static void main(String[] args) throws Exception {
        Optional<Path> cached =
                args[0].equals("--no-cache") ? Optional.empty() : SqliteNativeLibrary.useCache(Path.of(args[0]));
        String version;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
            rs.next();
            version = rs.getString(1);
        }
        long extracted;
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            extracted = files.filter(f -> f.getFileName().toString().startsWith("sqlite-"))
                    .count();
        }
        System.out.println("loaded=" + cached.map(Path::toString).orElse("default") + " extracted=" + extracted
                + " sqlite=" + version);
    }
}
