package dev.tether.bench.storage;

import dev.tether.Durability;
import dev.tether.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Scenario (d), the storage ceiling: a plain sqlite-jdbc loop inserting rows of the same shape into the same
 * table as {@link SqliteStore}'s outbox ({@code peer, lane, seq, expires_at, headers, payload}, WITHOUT ROWID,
 * primary key (peer, lane, seq)), {@code batch} rows per transaction, WAL, {@code synchronous=FULL}. The table
 * is created by opening a real {@link SqliteStore} on the file first, so its layout is the store's and not a
 * copy. One prepared statement, JDBC batches, one commit per batch: no protocol, no threads, no futures.
 */
final class SqlitePeerScenario {
    private SqlitePeerScenario() {}

    /**
     * Outcome of one run: rate, rows inserted, rows found in the table afterwards, and the duration of each
     * transaction (insert plus commit): with one row per commit, the floor under any FSYNC latency.
     */
    record Run(double rowsPerSecond, long inserted, long rowsStored, Latency transactions, double cpuMicrosPerRow) {}

    static Run run(int rows, int batch, int payloadBytes) {
        try (TempDir dir = TempDir.create()) {
            Path file = dir.file("peer.db");
            try (SqliteStore schema = new SqliteStore(file)) {
                schema.open(Durability.FSYNC);
            }
            long nanos;
            long[] transactions = new long[(rows + batch - 1) / batch];
            long cpu;
            try (Connection c = Sqlite.open(file)) {
                configure(c);
                long cpuStart = ThreadCpu.ofCurrentThread();
                nanos = insert(c, rows, batch, payloadBytes, transactions);
                cpu = ThreadCpu.ofCurrentThread() - cpuStart;
            } catch (SQLException e) {
                throw new IllegalStateException("peer loop failed on " + file, e);
            }
            return new Run(
                    rows * 1e9 / nanos, rows, Sqlite.count(file, "outbox"), Latency.of(transactions), cpu / 1e3 / rows);
        }
    }

    private static void configure(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                rs.next();
                if (!"wal".equalsIgnoreCase(rs.getString(1))) throw new SQLException("WAL mode refused");
            }
            s.execute("PRAGMA synchronous = FULL");
        }
        c.setAutoCommit(false);
    }

    /**
     * Inserts {@code rows} rows, {@code batch} per transaction, recording each transaction's duration in
     * {@code transactions}; returns the nanoseconds it all took.
     */
    private static long insert(Connection c, int rows, int batch, int payloadBytes, long[] transactions)
            throws SQLException {
        byte[] noHeaders = new byte[0];
        long start = System.nanoTime();
        long txStart = start;
        int tx = 0;
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO outbox (peer, lane, seq, expires_at, headers, payload) VALUES (?, ?, ?, ?, ?, ?)")) {
            int inBatch = 0;
            for (int seq = 1; seq <= rows; seq++) {
                p.setString(1, "bench-b");
                p.setString(2, "lane-0");
                p.setLong(3, seq);
                p.setLong(4, 0);
                p.setBytes(5, noHeaders);
                p.setBytes(6, new byte[payloadBytes]);
                p.addBatch();
                if (++inBatch == batch || seq == rows) {
                    p.executeBatch();
                    c.commit();
                    long now = System.nanoTime();
                    transactions[tx++] = now - txStart;
                    txStart = now;
                    inBatch = 0;
                }
            }
        }
        return System.nanoTime() - start;
    }
}
