package dev.tether.store.sqlite;

import dev.tether.spi.Store;
import dev.tether.testkit.HistoryStoreContract;
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

    /** A crash snapshot, as {@link SqliteStoreTest#crashCopy}. */
    @Override
    protected Store reopen(Store previous) {
        return SqliteStoreTest.crashCopy(previous, dir.resolve("store-" + FILES.incrementAndGet() + ".db"));
    }
}
