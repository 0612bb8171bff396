package dev.tether.bench.storage;

import dev.tether.Delivery;
import dev.tether.MessageHandler;
import dev.tether.TransactionalHandler;
import dev.tether.store.sqlite.SqliteTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

/**
 * The exactly-once effects scenarios' application (storage bench scenario (e), network bench {@code
 * tcp-sqlite-effects}): a transactional handler that inserts one row per message (its lane, sequence number
 * and payload) into {@code app_rows} of the receiver's store, in the transaction that commits the message's
 * cursor, then hands the delivery to the bench's checks.
 */
public final class ApplicationRows {
    public static final String TABLE = "CREATE TABLE IF NOT EXISTS app_rows"
            + " (id INTEGER PRIMARY KEY, lane TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB NOT NULL)";
    /** The row id is SQLite's next: the network bench's messages repeat their index in every round. */
    private static final String INSERT = "INSERT INTO app_rows (lane, seq, payload) VALUES (?, ?, ?)";

    private ApplicationRows() {}

    public static MessageHandler handler(Consumer<Delivery> checks) {
        return TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
            PreparedStatement ps = tx.prepare(INSERT);
            ps.setString(1, d.lane());
            ps.setLong(2, d.seq());
            ps.setBytes(3, d.payloadBytes());
            ps.executeUpdate();
            checks.accept(d);
        });
    }

    /** The rows in {@code app_rows} of the store file {@code file} (after its node stopped). */
    static long count(Path file) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM app_rows")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the application rows in " + file, e);
        }
    }
}
