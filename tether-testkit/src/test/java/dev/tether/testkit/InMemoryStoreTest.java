package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.StoreException;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InMemoryStoreTest extends StoreContract {
    @Override
    protected Store newStore() {
        return new InMemoryStore();
    }

    @Override
    protected Store reopen(Store previous) {
        return ((InMemoryStore) previous).reopenAfterCrash();
    }

    @Test
    void appendLeavingAGapThrows() {
        InMemoryStore store = opened();
        store.commit(new WriteBatch().append(msg(A, LANE, 1)));

        assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(A, LANE, 3))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("gap");
        assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(B, LANE, 2))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("gap");
    }

    @Test
    void trimBeyondLastSeqThrowsAndAppliesNothing() {
        InMemoryStore store = opened();
        store.commit(new WriteBatch().append(msg(A, LANE, 1)));

        assertThatThrownBy(() ->
                        store.commit(new WriteBatch().append(msg(A, LANE, 2)).trim(new WriteBatch.Trim(A, LANE, 3))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("beyond");
        assertThat(store.readOutbox(A, LANE, 0, 10))
                .extracting(StoredMessage::seq)
                .containsExactly(1L);
    }

    @Test
    void openRejectsDurabilityAboveMemory() {
        InMemoryStore store = new InMemoryStore();

        assertThat(store.maxDurability()).isEqualTo(Durability.MEMORY);
        assertThatThrownBy(() -> store.open(Durability.FSYNC)).isInstanceOf(StoreException.class);
    }

    @Test
    void useBeforeOpenAndSecondOpenThrow() {
        InMemoryStore store = new InMemoryStore();

        assertThatThrownBy(() -> store.commit(new WriteBatch())).hasMessage("store is not open");
        assertThatThrownBy(() -> store.readDeadLetters(1)).hasMessage("store is not open");
        store.open(Durability.MEMORY);
        assertThatThrownBy(() -> store.open(Durability.MEMORY)).hasMessage("store is already open");
    }

    @Test
    void injectedCommitFailuresApplyNothing() {
        InMemoryStore store = opened();
        store.failNextCommits(2);

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(A, LANE, 1))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("injected");
        }
        assertThat(store.readOutbox(A, LANE, 0, 10)).isEmpty();
        store.commit(new WriteBatch().append(msg(A, LANE, 1)));
        assertThat(store.readOutbox(A, LANE, 0, 10)).hasSize(1);
    }

    @Test
    void reopenAfterCrashClosesTheCrashedStore() {
        InMemoryStore store = opened();
        store.commit(new WriteBatch().append(msg(A, LANE, 1)));

        InMemoryStore again = store.reopenAfterCrash();

        assertThatThrownBy(() -> store.readOutbox(A, LANE, 0, 10)).hasMessage("store is closed");
        again.open(Durability.MEMORY);
        assertThat(again.readOutbox(A, LANE, 0, 10)).hasSize(1);
        again.close();
    }

    @Test
    void seededStoresHaveTheSameEpoch() {
        long first = new InMemoryStore(new Random(7)).open(Durability.MEMORY).epoch();

        assertThat(new InMemoryStore(new Random(7)).open(Durability.MEMORY).epoch())
                .isEqualTo(first);
    }

    private static InMemoryStore opened() {
        InMemoryStore store = new InMemoryStore();
        store.open(Durability.MEMORY);
        return store;
    }
}
