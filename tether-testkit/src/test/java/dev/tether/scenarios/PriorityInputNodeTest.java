package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Priority in the node loop's input (docs/PROTOCOL.md, "Priority"), on a real node: while its node thread is held (in
 * a store commit, which the in-memory store makes on the node thread), 2,000 level-0 sends and then one level-7 send
 * queue in its input. Once released, the level-7 send is taken first and its turn ends before the level-0 sends, so it
 * is stored in a batch of its own; with a FIFO input (before the change) it was stored in a batch with hundreds of
 * them. One stream whose sends change level keeps its order. Batches as the store sees them, not times.
 */
class PriorityInputNodeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int FLOOD = 2_000;

    /** Records every committed batch's appends; holds the commit of the batch with a message on lane "hold". */
    private static final class HoldingStore extends ForwardingStore {
        final List<List<StoredMessage>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HoldingStore() {
            super(new InMemoryStore());
        }

        @Override
        public void commit(WriteBatch batch) {
            List<StoredMessage> appends = List.copyOf(batch.appends());
            if (appends.stream().anyMatch(m -> m.lane().equals("hold"))) {
                holding.countDown();
                try {
                    assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            batches.add(appends);
            super.commit(batch);
        }
    }

    @Test
    void aLevelSevenSendQueuedBehindALevelZeroBacklogIsStoredInABatchOfItsOwn() throws Exception {
        HoldingStore store = new HoldingStore();
        InMemoryNetwork net = new InMemoryNetwork();
        try (TetherNode a = Tether.start(TetherConfig.builder(A)
                .peers(List.of(B))
                .transport(net.newTransport())
                .store(store)
                .durability(Durability.MEMORY)
                .lanePriority("alerts", 7)
                .build())) {
            a.send(B, "hold", bytes("hold"));
            assertThat(store.holding.await(60, TimeUnit.SECONDS)).isTrue(); // a's node thread is in that commit
            for (int i = 0; i < FLOOD; i++) {
                a.send(OutboundMessage.to(B)
                        .lane("bulk" + i % 4)
                        .priority(0)
                        .payload(bytes("f" + i))
                        .build());
            }
            // one stream whose sends change level: queued behind its level-0 sends, its level-7 ones keep their place
            for (int i = 0; i < 20; i++) {
                a.send(OutboundMessage.to(B)
                        .lane("mixed")
                        .priority(i % 2 == 0 ? 0 : 7)
                        .payload(bytes("m" + i))
                        .build());
            }
            a.send(B, "alerts", bytes("alert"));
            store.release.countDown();
            Await.until(DEADLINE, () -> stored(store) >= FLOOD + 22, () -> "stored " + stored(store));
            assertOrderedPerStream(store);

            List<StoredMessage> alertBatch = store.batches.stream()
                    .filter(b -> b.stream().anyMatch(m -> m.lane().equals("alerts")))
                    .findFirst()
                    .orElseThrow();
            long levelZero =
                    alertBatch.stream().filter(m -> m.lane().startsWith("bulk")).count();
            assertThat(levelZero)
                    .as("level-0 sends stored with the alert (batches: %s)", sizes(store))
                    .isZero();
        }
    }

    /** Every stream's messages were numbered in the order they were sent. */
    private static void assertOrderedPerStream(HoldingStore store) {
        Map<String, List<Integer>> byLane = new HashMap<>();
        for (List<StoredMessage> b : store.batches) {
            for (StoredMessage m : b) {
                String p = new String(m.payload(), StandardCharsets.UTF_8);
                if (p.startsWith("f") || p.startsWith("m")) {
                    byLane.computeIfAbsent(m.lane(), k -> new ArrayList<>()).add(Integer.parseInt(p.substring(1)));
                }
            }
        }
        assertThat(byLane).containsKeys("bulk0", "bulk3", "mixed");
        byLane.forEach((lane, numbers) -> assertThat(numbers).as(lane).isSorted());
        assertThat(byLane.get("mixed")).hasSize(20);
    }

    private static long stored(HoldingStore store) {
        return store.batches.stream().mapToLong(List::size).sum();
    }

    private static List<Integer> sizes(HoldingStore store) {
        return store.batches.stream().map(List::size).toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
