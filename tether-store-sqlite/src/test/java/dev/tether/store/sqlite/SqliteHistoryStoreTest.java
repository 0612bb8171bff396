package dev.tether.store.sqlite;

import dev.tether.spi.Store;
import dev.tether.testkit.HistoryStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The history contract on SQLite files. */
class SqliteHistoryStoreTest extends HistoryStoreContract {
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    Path dir;

    @Override
    protected Store newStore() {
        return new SqliteStore(dir.resolve("store-" + FILES.incrementAndGet() + ".db"));
    }

    /** A crash snapshot: the database file and its write-ahead log copied as they are now (see SqliteStoreTest). */
    @Override
    protected Store reopen(Store previous) {
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
}
