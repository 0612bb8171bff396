package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;
import org.junit.jupiter.api.Test;

/** A forwarding store is the store it wraps: the Store contract holds through it, and so does the declaration of being non-blocking. */
class ForwardingStoreTest extends StoreContract {
    private static final class Plain extends ForwardingStore {
        Plain(Store delegate) {
            super(delegate);
        }

        InMemoryStore memory() {
            return (InMemoryStore) delegate();
        }
    }

    @Override
    protected Store newStore() {
        return new Plain(new InMemoryStore());
    }

    @Override
    protected Store reopen(Store previous) {
        return new Plain(((Plain) previous).memory().reopenAfterCrash());
    }

    @Test
    void nonBlockingIsForwarded() {
        assertThat(new Plain(new InMemoryStore()).isNonBlocking()).isTrue();
        assertThat(new Plain(new Plain(new InMemoryStore())).isNonBlocking()).isTrue();
    }
}
