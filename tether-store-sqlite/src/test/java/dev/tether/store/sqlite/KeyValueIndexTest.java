package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reads of a namespace's newest key-value entries (Store rule 29) and the removal of expired entries are ranges of
 * index {@code kv_newest}, in its order: SQLite neither scans the namespace nor sorts it (no temporary b-tree). A file
 * that lost the index is refused at the open rather than read in full at every start.
 */
class KeyValueIndexTest {
    @TempDir
    Path dir;

    /** SQLite's plan of {@code sql}, one line per step. */
    private static List<String> plan(Connection c, String sql) throws SQLException {
        List<String> steps = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            int parameters = p.getParameterMetaData().getParameterCount();
            for (int i = 1; i <= parameters; i++) p.setLong(i, 1);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) steps.add(rs.getString("detail"));
            }
        }
        return steps;
    }

    @Test
    void theNewestAndTheExpiredAreRangesOfTheIndexInItsOrder() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            for (String sql : List.of(
                    KeyValueTable.NEWEST_EXPIRING, KeyValueTable.NEWEST_NEVER_EXPIRING, KeyValueTable.DELETE_EXPIRED)) {
                assertThat(plan(c, sql))
                        .as(sql)
                        .singleElement()
                        .asString()
                        .startsWith("SEARCH kv USING INDEX kv_newest (namespace=? AND expires_at")
                        .doesNotContain("TEMP B-TREE");
            }
        }
    }

    @Test
    void aFileWithoutTheIndexIsRefused() throws SQLException {
        Path file = dir.resolve("tether-a.db");
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("DROP INDEX kv_newest");
        }
        try (SqliteStore store = new SqliteStore(file)) {
            assertThatThrownBy(() -> store.open(Durability.FSYNC))
                    .isInstanceOf(StoreException.class)
                    .hasStackTraceContaining("no such index: kv_newest");
        }
    }
}
