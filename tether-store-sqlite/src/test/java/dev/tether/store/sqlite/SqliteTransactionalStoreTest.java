package dev.tether.store.sqlite;

import dev.tether.spi.TransactionalStore;
import dev.tether.testkit.TransactionalStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** {@link SqliteStore} against the {@link TransactionalStoreContract}; a crash is a copy of the files while open. */
class SqliteTransactionalStoreTest extends TransactionalStoreContract<SqliteTransaction> {
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    Path dir;

    @Override
    protected TransactionalStore<SqliteTransaction> newStore() {
        return new SqliteStore(dir.resolve("store-" + FILES.incrementAndGet() + ".db"));
    }

    @Override
    protected TransactionalStore<SqliteTransaction> reopen(TransactionalStore<SqliteTransaction> previous) {
        Path from = ((SqliteStore) previous).file();
        Path to = dir.resolve("store-" + FILES.incrementAndGet() + ".db");
        try {
            Files.copy(from, to);
            Path wal = Path.of(from + "-wal");
            if (Files.exists(wal)) Files.copy(wal, Path.of(to + "-wal"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SqliteStore(to);
    }

    @Override
    protected void createTable(SqliteTransaction tx) throws Exception {
        try (Statement s = tx.connection().createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS app_kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
        }
    }

    @Override
    protected void put(SqliteTransaction tx, String key, long value) throws Exception {
        PreparedStatement ps =
                tx.prepare("INSERT INTO app_kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = ?");
        ps.setString(1, key);
        ps.setLong(2, value);
        ps.setLong(3, value);
        ps.executeUpdate();
    }

    @Override
    protected Long get(SqliteTransaction tx, String key) throws Exception {
        PreparedStatement ps = tx.prepare("SELECT v FROM app_kv WHERE k = ?");
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    @Override
    protected void use(SqliteTransaction tx) throws Exception {
        tx.connection().createStatement().close();
    }

    @Override
    protected void endTransaction(SqliteTransaction tx) throws Exception {
        tx.connection().commit();
    }
}
