package dev.tether.testkit.sim;

import dev.tether.Durability;
import dev.tether.StoreException;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.util.Random;

/**
 * Where the nodes of a {@link Simulation} keep their state, and how a simulated crash treats it. The default,
 * {@link #IN_MEMORY}, uses {@link InMemoryStore}s; other implementations run the same simulation over real
 * stores (the SQLite store's tests run it over SQLite files).
 *
 * <p>Threading and determinism: a simulation calls its factory and its stores from its one thread only.
 * Every call must be synchronous and must not consume randomness other than the {@link Random} it is given,
 * so that a seed replays exactly. One factory serves one simulation run.
 */
public interface StoreFactory {
    /** In-memory stores opened at {@link Durability#MEMORY}; a crash keeps exactly the committed state. */
    StoreFactory IN_MEMORY = new StoreFactory() {
        @Override
        public Durability durability() {
            return Durability.MEMORY;
        }

        @Override
        public Store create(String node, Random random) {
            return new InMemoryStore(random);
        }

        @Override
        public Store crash(Store store, WriteBatch inFlight) {
            return ((InMemoryStore) store).reopenAfterCrash();
        }

        @Override
        public void commitFailing(Store store, WriteBatch batch) {
            InMemoryStore s = (InMemoryStore) store;
            s.failNextCommits(1);
            s.commit(batch);
        }
    };

    /** The durability every node opens its store at. */
    Durability durability();

    /**
     * A new, empty, unopened store for node {@code node}. If the store draws an epoch, it must draw it from
     * {@code random} (the epoch appears in frames, so it must follow from the seed).
     */
    Store create(String node, Random random);

    /**
     * Crashes the process owning the open {@code store}: a commit of {@code inFlight} (null if none) may have
     * started but did not return, and nothing is shut down cleanly. Returns a new, unopened store over what the
     * old one had committed, which the simulation opens when the node restarts.
     */
    Store crash(Store store, WriteBatch inFlight);

    /**
     * Tries to commit {@code batch} and fails as a failing disk would: throws {@link StoreException} and stores
     * nothing of the batch.
     */
    void commitFailing(Store store, WriteBatch batch);
}
