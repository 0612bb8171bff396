package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.sim.StoreFactory;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Simulation stores in real SQLite files, one per node in {@code dir}, at {@link Durability#OS_BUFFERED}: a
 * simulated crash is a process crash, and OS_BUFFERED is the weakest level that promises to survive one.
 *
 * <p>A crash writes the batch whose commit was in flight without committing it, then abandons the connection
 * and releases the ownership lock (what the operating system does for a killed process); the node restarts
 * from the same file. An injected commit failure writes the whole batch and rolls it back.
 */
final class SqliteStoreFactory implements StoreFactory {
    private final Path dir;
    private int crashesMidCommit;

    SqliteStoreFactory(Path dir) {
        this.dir = dir;
    }

    /** Crashes that abandoned a written but uncommitted batch. */
    int crashesMidCommit() {
        return crashesMidCommit;
    }

    @Override
    public Durability durability() {
        return Durability.OS_BUFFERED;
    }

    @Override
    public Store create(String node, Random random) {
        LongSupplier epochs = () -> {
            long e;
            do {
                e = random.nextLong();
            } while (e == 0);
            return e;
        };
        return SqliteStore.builder(dir.resolve(node + ".db")).epochs(epochs).build();
    }

    @Override
    public Store crash(Store store, WriteBatch inFlight) {
        SqliteStore s = (SqliteStore) store;
        if (inFlight != null) {
            crashesMidCommit++;
            s.writeWithoutCommit(inFlight);
        }
        s.crash();
        return SqliteStore.builder(s.file()).build(); // the file has its epoch: no new one is drawn
    }

    @Override
    public void commitFailing(Store store, WriteBatch batch) {
        ((SqliteStore) store).failCommit(batch);
    }
}
