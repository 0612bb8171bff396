package dev.tether.bench.storage;

import dev.tether.Delivery;
import dev.tether.MessageHandler;
import dev.tether.TransactionalHandler;
import dev.tether.store.sqlite.SqliteTransaction;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

/**
 * Scenario (e)'s application: a transactional handler that inserts one row per message (its index, lane, sequence
 * number and payload) into {@code app_rows} of the receiver's store, in the transaction that commits the message's
 * cursor, then hands the delivery to the bench's checks.
 */
final class ApplicationRows {
    static final String TABLE = "CREATE TABLE IF NOT EXISTS app_rows"
            + " (id INTEGER PRIMARY KEY, lane TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB NOT NULL)";
    private static final String INSERT = "INSERT INTO app_rows (id, lane, seq, payload) VALUES (?, ?, ?, ?)";

    private ApplicationRows() {}

    static MessageHandler handler(Consumer<Delivery> checks) {
        return TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
            ByteBuffer p = d.payload();
            PreparedStatement ps = tx.prepare(INSERT);
            ps.setLong(1, p.getLong(p.position() + 8));
            ps.setString(2, d.lane());
            ps.setLong(3, d.seq());
            ps.setBytes(4, d.payloadBytes());
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
