package dev.tether.bench.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Plain JDBC helpers for checking what a benchmark left in an SQLite file. */
final class Sqlite {
    private Sqlite() {}

    static Connection open(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /** The number of rows of {@code table} (a fixed name from this package, never user input). */
    static long count(Path file, String table) {
        try (Connection c = open(file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the rows of " + table + " in " + file, e);
        }
    }
}
