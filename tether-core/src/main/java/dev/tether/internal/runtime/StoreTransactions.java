package dev.tether.internal.runtime;

import dev.tether.InvalidConfigException;
import dev.tether.spi.Store;
import dev.tether.spi.TransactionalStore;
import java.util.concurrent.Executor;

/**
 * The node's store transactions as the pattern layers see them (transactional named handlers): where transactional
 * work runs, and running it there. A generic hook over {@link TransactionalStore}; nothing here knows a store.
 */
public final class StoreTransactions {
    private final StoreWriter writer;
    private final Store store;

    StoreTransactions(StoreWriter writer, Store store) {
        this.writer = writer;
        this.store = store;
    }

    /**
     * Checks that the store runs transactional work with handles of {@code type}.
     *
     * @throws InvalidConfigException naming {@code setting} otherwise
     */
    public void check(String setting, Class<?> type) {
        TransactionalConsumer.check(setting, type, store);
    }

    /** Where transactional work runs: the store writer's thread. */
    public Executor executor() {
        return writer.transactionalExecutor();
    }

    /**
     * On {@link #executor()}: runs {@code work} in a savepoint of the store's open transaction, which commits with the
     * batch carrying the cursor of the message being handled; throwing undoes exactly {@code work}'s writes.
     */
    public <T> void run(TransactionalStore.Work<T> work) throws Exception {
        writer.runInTransaction(work);
    }
}
