package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.MessageDroppedException;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.OverflowPolicy;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StoreException;
import dev.tether.StreamLimits;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

    private static StreamStats outbound(TetherNode a, String lane) {
        for (StreamStats s : a.stats().streams()) {
            if (s.direction() == StreamStats.Direction.OUTBOUND
                    && s.peer().equals(B)
                    && s.lane().equals(lane)) {
                return s;
            }
        }
        throw new AssertionError("no outbound stream b/" + lane);
    }

    private static List<TetherEvent.Overflow> overflows(Cluster c) {
        List<TetherEvent.Overflow> l = new ArrayList<>();
        for (TetherEvent e : c.events("a")) if (e instanceof TetherEvent.Overflow o) l.add(o);
        return l;
    }

    @Test
    void streamLimitsBySelectorRejectCountAndReport() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start(
                    "a",
                    cfg -> cfg.streamLimits("b", "orders*", StreamLimits.maxMessages(2))
                            .streamLimits("*", "*", StreamLimits.maxMessages(5)));
            for (int i = 0; i < 2; i++)
                a.send(B, "orders.eu", new byte[1]).accepted().get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> a.send(B, "orders.eu", new byte[1]))
                        .isInstanceOf(QueueFullException.class)
                        .hasMessageContaining("holds 2 of its limit of 2");
            }
            for (int i = 0; i < 5; i++) a.send(B, "other", new byte[1]); // the second rule: 5
            assertThat(trySend(a, "other")).isFalse();
            assertThat(outbound(a, "orders.eu").rejected()).isEqualTo(3);
            assertThat(outbound(a, "other").rejected()).isEqualTo(1);
            assertThat(a.stats().rejected()).isEqualTo(4); // the node's total
            Await.until(
                    DEADLINE,
                    () -> overflows(c).stream()
                                    .filter(o -> o.lane().equals("orders.eu"))
                                    .mapToLong(TetherEvent.Overflow::count)
                                    .sum()
                            == 3,
                    () -> "3 rejections on orders.eu reported: " + overflows(c));
            TetherEvent.Overflow o = overflows(c).get(0);
            assertThat(o.peer()).isEqualTo(B);
            assertThat(o.policy()).isEqualTo(OverflowPolicy.REJECT);
            assertThat(o.what()).isEqualTo(TetherEvent.Overflow.What.REJECTED);
        }
    }

    /** Starts node a with a limit of 1 and BLOCK({@code timeout}) on lane x, and fills that stream with one stored message. */
    private static TetherNode fullBlockingStream(Cluster c, Duration timeout) throws Exception {
        TetherNode a = c.start(
                "a",
                cfg -> cfg.streamLimits("*", "x", StreamLimits.maxMessages(1).policy(OverflowPolicy.block(timeout))));
        a.send(B, "x", Cluster.utf8("first")).accepted().get(30, TimeUnit.SECONDS);
        return a;
    }

    @Test
    void blockWaitsForRoomThenRefusesAndCountsTheWaitingSenders() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = fullBlockingStream(c, Duration.ofMillis(150));
            assertThatThrownBy(() -> a.send(B, "x", Cluster.utf8("late")))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("waited 150 ms");
            assertThat(outbound(a, "x").rejected()).isEqualTo(1);
            Await.until(
                    DEADLINE,
                    () -> overflows(c).stream().anyMatch(o -> o.what() == TetherEvent.Overflow.What.TIMED_OUT),
                    () -> "a TIMED_OUT report: " + overflows(c));
        }
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = fullBlockingStream(c, Duration.ofSeconds(30));
            CompletableFuture<SendReceipt> waiting = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    waiting.complete(a.send(B, "x", Cluster.utf8("waited")));
                } catch (RuntimeException e) {
                    waiting.completeExceptionally(e);
                }
            });
            t.start();
            Await.until(DEADLINE, () -> outbound(a, "x").blockedSends() == 1, () -> "one sender blocked");
            assertThat(a.stats().blockedSends()).isEqualTo(1);
            Tether.management(a).purge(B, "x");
            assertThat(waiting.get(30, TimeUnit.SECONDS)
                            .accepted()
                            .get(30, TimeUnit.SECONDS)
                            .seq())
                    .isEqualTo(2);
            assertThat(outbound(a, "x").blockedSends()).isZero();
            assertThat(outbound(a, "x").rejected()).isZero();
        }
    }

    /** Starts node a with at most {@code max} messages and {@code policy} on its stream to b on {@code lane}. */
    private static TetherNode startLimited(Cluster c, String lane, int max, OverflowPolicy policy) {
        return c.start(
                "a",
                cfg -> cfg.streamLimits("b", lane, StreamLimits.maxMessages(max).policy(policy)));
    }

    @Test
    void dropNewestDropsTheNewMessageWithoutThrowingAndCountsIt() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = startLimited(c, "telemetry", 1, OverflowPolicy.DROP_NEWEST);
            SendReceipt kept = a.send(B, "telemetry", Cluster.utf8("kept"));
            SendReceipt dropped = a.send(B, "telemetry", Cluster.utf8("dropped"));
            assertThatThrownBy(() -> dropped.accepted().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(MessageDroppedException.class)
                    .hasMessageContaining("DROP_NEWEST");
            assertThat(dropped.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DROPPED);
            assertThat(kept.accepted().get(30, TimeUnit.SECONDS).seq()).isEqualTo(1);
            assertThat(outbound(a, "telemetry").dropped()).isEqualTo(1);
            assertThat(a.stats().dropped()).isEqualTo(1);
            assertThat(outbound(a, "telemetry").lastSeq()).isEqualTo(1); // nothing of it stored
            assertThat(a.offer(OutboundMessage.to(B)
                                    .lane("telemetry")
                                    .payload(new byte[1])
                                    .build())
                            .taken())
                    .isFalse(); // offer refuses, whatever the policy
            c.start("b");
            Await.until(DEADLINE, () -> c.payloads("b", "a", "telemetry").equals(List.of("kept")), () -> "kept");
            Await.until(
                    DEADLINE,
                    () -> overflows(c).stream().anyMatch(o -> o.what() == TetherEvent.Overflow.What.DROPPED_NEWEST),
                    () -> "a DROPPED_NEWEST report: " + overflows(c));
        }
    }

    private static StreamStats inbound(TetherNode b, String lane) {
        for (StreamStats s : b.stats().streams()) {
            if (s.direction() == StreamStats.Direction.INBOUND && s.lane().equals(lane)) return s;
        }
        throw new AssertionError("no inbound stream on " + lane);
    }

    @Test
    void dropOldestDropsExactlyTheOldestUntransmittedMessageWhichTheReceiverSettlesAndCounts() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = startLimited(c, "telemetry", 10, OverflowPolicy.DROP_OLDEST);
            List<SendReceipt> sent = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                sent.add(a.send(B, "telemetry", Cluster.utf8("m" + i)));
            }
            for (SendReceipt r : sent) r.accepted().get(30, TimeUnit.SECONDS); // b never started: none transmitted
            SendReceipt eleventh = a.send(B, "telemetry", Cluster.utf8("m11")); // taken: room made, no exception
            assertThat(sent.get(0).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DROPPED);
            assertThat(eleventh.accepted().get(30, TimeUnit.SECONDS).seq()).isEqualTo(11);
            assertThat(outbound(a, "telemetry").dropped()).isEqualTo(1);
            assertThat(outbound(a, "telemetry").rejected()).isZero();
            Await.until(
                    DEADLINE,
                    () -> overflows(c).stream()
                            .anyMatch(o -> o.what() == TetherEvent.Overflow.What.DROPPED_OLDEST
                                    && o.policy().equals(OverflowPolicy.DROP_OLDEST)
                                    && o.lane().equals("telemetry")
                                    && o.count() == 1),
                    () -> "a DROPPED_OLDEST report: " + overflows(c));

            TetherNode b = c.start("b");
            for (int i = 1; i < 10; i++) {
                assertThat(sent.get(i).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            }
            assertThat(eleventh.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(c.payloads("b", "a", "telemetry")).containsExactlyElementsOf(Cluster.numbered("m", 2, 12));
            assertThat(inbound(b, "telemetry").dropped()).isEqualTo(1); // message 1's DROPPED marker
            assertThat(outbound(a, "telemetry").dropped()).isEqualTo(1);
            assertThat(a.stats().dropped()).isEqualTo(1);
            assertThat(b.stats().dropped())
                    .as("markers received are not sends dropped")
                    .isZero();
        }
    }

    @Test
    void dropOldestRefusesThroughTheReceiptWhenEveryMessageWasTransmitted() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = startLimited(c, "t", 3, OverflowPolicy.DROP_OLDEST);
            c.startPull("b"); // nobody takes them: transmitted, never acknowledged
            List<SendReceipt> sent = new ArrayList<>();
            for (int i = 1; i <= 3; i++) sent.add(a.send(B, "t", Cluster.utf8("m" + i)));
            Await.until(DEADLINE, () -> outbound(a, "t").inFlight() == 3, () -> "3 transmitted: " + outbound(a, "t"));
            SendReceipt refused = a.send(B, "t", Cluster.utf8("m4"));
            assertThatThrownBy(() -> refused.accepted().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(QueueFullException.class)
                    .hasMessageContaining("holds 3 of its limit of 3")
                    .hasMessageContaining("none could be dropped");
            assertThat(outbound(a, "t").rejected()).isEqualTo(1);
            assertThat(outbound(a, "t").dropped()).isZero();
            assertThat(outbound(a, "t").lastSeq()).isEqualTo(3);
            for (SendReceipt r : sent) assertThat(r.processed()).isNotDone();
            Await.until(
                    DEADLINE,
                    () -> overflows(c).stream().anyMatch(o -> o.what() == TetherEvent.Overflow.What.REJECTED),
                    () -> "a REJECTED report: " + overflows(c));
        }
    }

    @Test
    void overflowReportsAreRateLimitedLikeProtocolErrorsAndAccountForEveryReport() throws Exception {
        int lanes = 50;
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.maxQueuedPerStream(1));
            for (int i = 0; i < lanes; i++)
                a.send(B, "l" + i, new byte[1]).accepted().get(30, TimeUnit.SECONDS);
            for (int i = 0; i < lanes; i++) assertThat(trySend(a, "l" + i)).isFalse();
            // occurrences = events + the sum of their suppressed counts (EventThrottle)
            Await.until(
                    DEADLINE,
                    () -> overflows(c).stream()
                                    .mapToLong(o -> 1 + o.suppressed())
                                    .sum()
                            == lanes,
                    () -> "every report accounted for: " + overflows(c));
            assertThat(overflows(c).size()).isLessThan(lanes);
            long rejected = 0;
            for (int i = 0; i < lanes; i++) rejected += outbound(a, "l" + i).rejected();
            assertThat(rejected).isEqualTo(lanes); // the counters are exact
        }
    }

    @Test
    void badLimitsAndPoliciesAreRefusedWithSpecificErrors() {
        assertThatThrownBy(() -> StreamLimits.maxMessages(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessages must be >= 1, was 0");
        assertThatThrownBy(() -> StreamLimits.maxMessages(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessages must be >= 1, was -5");
        assertThatThrownBy(() -> OverflowPolicy.block(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BLOCK timeout must be positive, was PT0S");
        assertThatThrownBy(() -> OverflowPolicy.block(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BLOCK timeout must be positive");
        assertThatThrownBy(() -> TetherConfig.builder(B).streamLimits("", "x", StreamLimits.maxMessages(1)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("need a peer and a lane pattern");
    }
}
