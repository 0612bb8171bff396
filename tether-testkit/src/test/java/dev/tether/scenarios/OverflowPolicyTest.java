package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StoreException;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Send admission and overflow (docs/MESSAGING.md, "Backpressure"): a stream's limit is checked on the caller's
 * thread, exactly, and its room comes back when the engine lets go of messages (acknowledged, expired, rejected by
 * the store, stored before a restart).
 */
class OverflowPolicyTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");

    private static boolean trySend(TetherNode a, String lane) {
        try {
            a.send(B, lane, new byte[1]);
            return true;
        } catch (QueueFullException e) {
            return false;
        }
    }

    @Test
    void aFullStreamRefusesAtOnceNamingTheStreamItsCountAndLimitAndGetsRoomBackWhenAcknowledged() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(3));
            List<SendReceipt> sent = new ArrayList<>();
            for (int i = 0; i < 3; i++) sent.add(a.send(B, "x", Cluster.utf8("m" + i)));
            assertThatThrownBy(() -> a.send(B, "x", Cluster.utf8("m3")))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream b/x holds 3 of its limit of 3 unacknowledged messages");
            a.send(B, "y", Cluster.utf8("other lane")); // another stream has its own room
            c.start("b");
            for (SendReceipt r : sent)
                assertThat(r.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            Await.until(DEADLINE, () -> trySend(a, "x"), () -> "room came back on b/x after the acknowledgment");
            Await.until(DEADLINE, () -> c.payloads("b", "a", "x").size() == 4, () -> "4 messages on b/x");
            assertThat(c.payloads("b", "a", "x").subList(0, 3)).containsExactly("m0", "m1", "m2");
        }
    }

    @Test
    void concurrentSendersNeverGetMoreThanTheLimitAndAllOfIt() throws Exception {
        int threads = 8, perThread = 40, limit = 50;
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(limit)); // b never starts: nothing is acked
            AtomicInteger taken = new AtomicInteger(), refused = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            List<SendReceipt> receipts = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        try {
                            receipts.add(a.send(B, "x", new byte[8]));
                            taken.incrementAndGet();
                        } catch (QueueFullException e) {
                            refused.incrementAndGet();
                        }
                    }
                });
                th.start();
                senders.add(th);
            }
            go.countDown();
            for (Thread th : senders) th.join(30_000);
            assertThat(taken.get()).isEqualTo(limit);
            assertThat(refused.get()).isEqualTo(threads * perThread - limit);
            for (SendReceipt r : receipts) r.accepted().get(30, TimeUnit.SECONDS); // every one taken is stored
        }
    }

    @Test
    void roomComesBackWhenAQueuedMessageExpires() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(1));
            SendReceipt r = a.send(OutboundMessage.to(B)
                    .lane("x")
                    .ttl(Duration.ofMillis(50))
                    .payload(new byte[1])
                    .build());
            assertThat(trySend(a, "x")).isFalse();
            assertThat(r.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.EXPIRED);
            Await.until(DEADLINE, () -> trySend(a, "x"), () -> "room came back after the expiry");
        }
    }

    @Test
    void roomComesBackWhenTheStoreRejectsTheSends() throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        try (Cluster c = new Cluster("a", "b")) {
            InMemoryStore inner = c.store("a");
            ForwardingStore flaky = new ForwardingStore(inner) {
                @Override
                public void commit(WriteBatch batch) {
                    if (failing.get()) throw new StoreException("disk full (test)");
                    inner.commit(batch);
                }
            };
            TetherNode a = c.start("a", cfg -> cfg.store(flaky).maxQueuedPerStream(2));
            SendReceipt r1 = a.send(B, "x", new byte[1]);
            SendReceipt r2 = a.send(B, "x", new byte[1]);
            assertThat(trySend(a, "x")).isFalse();
            assertThatThrownBy(() -> r1.accepted().get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class);
            assertThatThrownBy(() -> r2.accepted().get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class);
            failing.set(false);
            Await.until(DEADLINE, () -> trySend(a, "x"), () -> "room came back after the store rejected both");
            assertThat(trySend(a, "x")).isTrue();
            assertThat(trySend(a, "x")).isFalse();
        }
    }

    @Test
    void messagesStoredBeforeARestartCountAgainstTheLimit() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(3));
            for (int i = 0; i < 3; i++) a.send(B, "x", new byte[1]).accepted().get(30, TimeUnit.SECONDS);
            c.crash("a");
            TetherNode again = c.start("a", cfg -> cfg.maxQueuedPerStream(3));
            assertThatThrownBy(() -> again.send(B, "x", new byte[1]))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("holds 3 of its limit of 3");
        }
    }
}
