package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Delivery;
import dev.tether.MessageDroppedException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.OverflowPolicy;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StreamLimits;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, "Backpressure" (DROP_OLDEST in detail): "Loopback streams (sends to the node itself) drop only
 * sends waiting for their batch". A node sends to itself on a lane limited to 3 with DROP_OLDEST while its store holds
 * the first batch: the send in that batch is kept, the oldest send waiting for the next batch is dropped; once all
 * are stored (handed to the receiving half at once) nothing is droppable and a further send is refused through its
 * receipt.
 */
class LoopbackDropOldestTest {
    private static final NodeId A = NodeId.of("a");

    private static String text(Delivery d) {
        return new String(d.payloadBytes(), StandardCharsets.UTF_8);
    }

    private static StreamStats outbound(TetherNode a) {
        for (StreamStats s : a.stats().streams()) {
            if (s.direction() == StreamStats.Direction.OUTBOUND && s.lane().equals("t")) return s;
        }
        throw new AssertionError("no outbound stream on t");
    }

    /**
     * {@code inner} committing on a thread of its own, holding the first batch that stores a message on lane t until
     * {@code release}, after counting down {@code inCommit}.
     */
    private static ForwardingStore holdingFirstOnT(
            InMemoryStore inner, CountDownLatch inCommit, CountDownLatch release) {
        AtomicBoolean holdNext = new AtomicBoolean(true);
        return new ForwardingStore(inner) {
            @Override
            public boolean isNonBlocking() {
                return false; // commits on the store's thread: the node thread goes on while one is held
            }

            @Override
            public void commit(WriteBatch batch) {
                boolean onT = batch.appends().stream().anyMatch(m -> m.lane().equals("t"));
                if (onT && holdNext.compareAndSet(true, false)) {
                    inCommit.countDown();
                    try {
                        if (!release.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("not released");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                inner.commit(batch);
            }
        };
    }

    @Test
    void dropOldestOnALoopbackStreamDropsOnlySendsWaitingForTheirBatch() throws Exception {
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Cluster c = new Cluster("a")) {
            ForwardingStore held = holdingFirstOnT(c.store("a"), inCommit, release);
            TetherNode a = c.startPull(
                    "a",
                    cfg -> cfg.store(held)
                            .streamLimits("a", "t", StreamLimits.maxMessages(3).policy(OverflowPolicy.DROP_OLDEST)));
            List<SendReceipt> sent = new ArrayList<>();
            sent.add(a.send(A, "t", Cluster.utf8("m1")));
            assertThat(inCommit.await(30, TimeUnit.SECONDS)).isTrue(); // m1's batch is being stored
            assertThat(sent.get(0).accepted()).isNotDone();
            sent.add(a.send(A, "t", Cluster.utf8("m2"))); // m2, m3 wait for the next batch
            sent.add(a.send(A, "t", Cluster.utf8("m3")));
            sent.add(a.send(A, "t", Cluster.utf8("m4"))); // full: the oldest waiting for its batch (m2) goes
            assertThatThrownBy(() -> sent.get(1).accepted().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(MessageDroppedException.class);
            assertThat(sent.get(1).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DROPPED);
            release.countDown();
            for (int i : new int[] {0, 2, 3}) sent.get(i).accepted().get(30, TimeUnit.SECONDS);
            SendReceipt fifth = a.send(A, "t", Cluster.utf8("m5")); // every message was handed over: none droppable
            assertThatThrownBy(() -> fifth.accepted().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(QueueFullException.class)
                    .hasMessageContaining("none could be dropped");
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Delivery d = a.receive(Duration.ofSeconds(30));
                assertThat(d).as("delivery " + i).isNotNull();
                got.add(text(d));
                d.ack();
            }
            assertThat(got).containsExactly("m1", "m3", "m4");
            assertThat(a.receive(Duration.ofMillis(50))).isNull();
            assertThat(outbound(a).dropped()).isEqualTo(1);
            assertThat(outbound(a).rejected()).isEqualTo(1);
        }
    }
}
