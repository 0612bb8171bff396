package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
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

    /**
     * The receiver's side: b's node thread is held (in a store commit) while a's frames queue in its input: a level-0
     * flood on four streams, a stream whose frames alternate between levels 0 and 7 (one message per frame), and a
     * level-7 alert. Frames of one stream must reach b's engine in order: a DATA that overtook an earlier one of its
     * stream would be taken as a gap and resent (a's retransmission timeout is 60 s, so only a resend asked for by b
     * comes sooner). A DATA overtaking its OPEN is {@code FrameInputTest}'s: here a sender waits for the ACK of its OPEN.
     */
    @Test
    void theReceiversInputKeepsEachStreamsFramesInOrder() throws Exception {
        HoldingStore bStore = new HoldingStore();
        InMemoryNetwork net = new InMemoryNetwork();
        TappedTransport aWire = new TappedTransport(net.newTransport());
        TappedTransport bWire = new TappedTransport(net.newTransport());
        List<String> got = new CopyOnWriteArrayList<>();
        try (TetherNode a = Tether.start(TetherConfig.builder(A)
                        .peers(List.of(B))
                        .transport(aWire)
                        .store(new InMemoryStore())
                        .durability(Durability.MEMORY)
                        .lanePriority("alerts", 7)
                        .retransmitTimeout(Duration.ofSeconds(60), Duration.ofSeconds(60))
                        .handler(d -> {})
                        .build());
                TetherNode b = Tether.start(TetherConfig.builder(B)
                        .peers(List.of(A))
                        .transport(bWire)
                        .store(bStore)
                        .durability(Durability.MEMORY)
                        .handler(d -> got.add(d.lane() + ":" + new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                        .build())) {
            openStreams(a);
            b.send(A, "hold", bytes("hold"));
            assertThat(bStore.holding.await(60, TimeUnit.SECONDS)).isTrue(); // b's node thread is in that commit
            for (int i = 0; i < FLOOD; i++) send(a, "bulk" + i % 4, 0, "f" + i);
            for (int i = 0; i < 20; i++) { // each stored, so transmitted, before the next is sent: a frame each
                send(a, "mixed", i % 2 == 0 ? 0 : 7, "m" + i).accepted().get(60, TimeUnit.SECONDS);
            }
            a.send(B, "alerts", bytes("a0")).accepted().get(60, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> sent(a, "alerts") == 2 && sent(a, "mixed") == 21, () -> "a: " + a.stats());
            long out = aWire.framesOut();
            Await.until(DEADLINE, () -> bWire.framesIn() >= out, () -> "b took " + bWire.framesIn() + " of " + out);
            bStore.release.countDown();

            Await.until(
                    Duration.ofSeconds(30), () -> got.size() >= FLOOD + 27, () -> "b got " + got.size() + ": " + got);
            List<String> mixed =
                    got.stream().filter(m -> m.startsWith("mixed:m")).toList();
            for (int i = 0; i < 20; i++) assertThat(mixed.get(i)).isEqualTo("mixed:m" + i);
            for (String lane : List.of("alerts", "mixed", "bulk0", "bulk3")) {
                assertThat(a.stats().stream(B, lane, StreamStats.Direction.OUTBOUND)
                                .retransmitted())
                        .as("%s resent: a frame of it overtook an earlier one at b", lane)
                        .isZero();
            }
            assertThat(got.indexOf("alerts:a0"))
                    .as("the alert still passes the flood queued before it at b")
                    .isLessThan(got.indexOf("bulk0:f" + (FLOOD - 4)));
        }
    }

    /**
     * Opens every stream of the receiver test before b is held (a sender waits for the receiver's ACK of its OPEN
     * before sending DATA); b's input goes by level from the first level-0 frame on.
     */
    private static void openStreams(TetherNode a) throws Exception {
        List<SendReceipt> opened = new ArrayList<>();
        for (String lane : List.of("bulk0", "bulk1", "bulk2", "bulk3", "mixed", "alerts")) {
            opened.add(send(a, lane, lane.equals("alerts") ? 7 : 0, "open"));
        }
        for (SendReceipt r : opened) r.processed().get(60, TimeUnit.SECONDS);
    }

    private static SendReceipt send(TetherNode a, String lane, int level, String payload) {
        return a.send(OutboundMessage.to(B)
                .lane(lane)
                .priority(level)
                .payload(bytes(payload))
                .build());
    }

    private static long sent(TetherNode a, String lane) {
        StreamStats s = a.stats().stream(B, lane, StreamStats.Direction.OUTBOUND);
        return s == null ? 0 : s.sent();
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
