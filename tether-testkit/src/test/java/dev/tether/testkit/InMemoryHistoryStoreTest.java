package dev.tether.testkit;

import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;

class InMemoryHistoryStoreTest extends HistoryStoreContract {
    @Override
    protected Store newStore() {
        return new InMemoryStore();
    }

    @Override
    protected Store reopen(Store previous) {
        return ((InMemoryStore) previous).reopenAfterCrash();
    }
}
