package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void appendsGroupedByStreamInAnyOrderLandInTheirStreams() {
        InMemoryStore store = opened();
        // 20 groups over three streams, each group 1..3 messages, a stream's groups apart: more groups than the
        // check's first table holds (8), each applied from the sizes the check found.
        List<StoredMessage> toA = new ArrayList<>();
        List<StoredMessage> toB = new ArrayList<>();
        List<StoredMessage> toAOther = new ArrayList<>();
        WriteBatch batch = new WriteBatch();
        for (int g = 0; g < 20; g++) {
            List<StoredMessage> to = g % 3 == 0 ? toA : g % 3 == 1 ? toB : toAOther;
            NodeId node = to == toB ? B : A;
            String lane = to == toAOther ? OTHER_LANE : LANE;
            for (int k = 0; k <= g % 4 / 2 + g % 2; k++) {
                StoredMessage m = msg(node, lane, to.size() + 1);
                to.add(m);
                batch.append(m);
            }
        }
        store.commit(batch);
        StoredMessage next = msg(B, LANE, toB.size() + 1);
        store.commit(new WriteBatch().append(next));
        toB.add(next);

        assertThat(store.readOutbox(A, LANE, 0, 100)).containsExactlyElementsOf(toA);
        assertThat(store.readOutbox(B, LANE, 0, 100)).containsExactlyElementsOf(toB);
        assertThat(store.readOutbox(A, OTHER_LANE, 0, 100)).containsExactlyElementsOf(toAOther);
        assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(A, LANE, toA.size()))))
                .hasMessageContaining("reuses");
    }

    private static InMemoryStore opened() {
        InMemoryStore store = new InMemoryStore();
        store.open(Durability.MEMORY);
        return store;
    }
}
