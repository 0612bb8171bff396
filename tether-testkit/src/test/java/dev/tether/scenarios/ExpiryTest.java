package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AckMode;
import dev.tether.Delivery;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Time to live, checked for each message right before the application gets it: a message whose deadline passes
 * while the one before it is still with the application is skipped, not handed out late.
 *
 * <p>The three messages are sent while the link is cut, so that they reach the receiver together, in one
 * delivery run; the application holds the first until the clock is past the second's deadline. The manual clock
 * moves in small steps while the test waits (retransmission timers need it), and by a minute at once while the
 * application holds the first message.
 */
class ExpiryTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofSeconds(60);

    private final ManualClock clock = new ManualClock(1_000_000);

    /** What the test sends: {@code first}, {@code ttl} with a time to live, {@code third}. */
    private record Sent(SendReceipt first, SendReceipt ttl, SendReceipt third) {}

    /** Waits for {@code condition}, moving the clock by 5 ms per poll. */
    private void awaitMoving(BooleanSupplier condition, String what) {
        Await.until(
                DEADLINE,
                () -> {
                    clock.advance(Duration.ofMillis(5));
                    return condition.getAsBoolean();
                },
                () -> what);
    }

    private Sent sendTogether(Cluster c, TetherNode a) throws Exception {
        awaitMoving(() -> a.stats().connectedPeers().contains(B), "a connected to b");
        c.network.disconnect(A, B);
        SendReceipt first = a.send(B, utf8("first"));
        SendReceipt ttl =
                a.send(OutboundMessage.to(B).payload(utf8("ttl")).ttl(TTL).build());
        SendReceipt third = a.send(B, utf8("third"));
        third.accepted().get(10, TimeUnit.SECONDS);
        c.network.connect(A, B);
        return new Sent(first, ttl, third);
    }

    /** Moves the clock past the deadline of {@code ttl}. */
    private void expire() {
        clock.advance(TTL.plusSeconds(1));
    }

    private static void assertSkipped(Cluster c, TetherNode b, Sent s) throws Exception {
        assertThat(s.ttl().processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.EXPIRED);
        assertThat(s.third().processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(s.first().processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(b.stats().expired()).isEqualTo(1);
        assertThat(b.stats().delivered()).isEqualTo(2);
        assertThat(c.events("b")).anyMatch(e -> e instanceof TetherEvent.Expired x && x.seq() == 2);
    }

    private static String text(Delivery d) {
        return new String(d.payloadBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aMessageExpiringWhileTheHandlerHoldsTheOneBeforeIsSkipped() throws Exception {
        checkHandler(cfg -> {}, "handler threads");
    }

    @Test
    void aMessageExpiringWhileAHandlerOnTheNodeThreadHoldsTheOneBeforeIsSkipped() throws Exception {
        checkHandler(cfg -> cfg.handlerOnNodeThread(true), "node thread");
    }

    private void checkHandler(Consumer<TetherConfig.Builder> where, String description) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.start("b", cfg -> {
                cfg.clock(clock).handler(d -> {
                    seen.add(text(d));
                    if (text(d).equals("first") && !release.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("first held for 30 s");
                    }
                });
                where.accept(cfg);
            });
            TetherNode a = c.start("a", cfg -> cfg.clock(clock));
            Sent s = sendTogether(c, a);
            awaitMoving(() -> seen.contains("first"), "first handed out (" + description + ")");
            expire();
            release.countDown();
            awaitMoving(() -> seen.contains("third"), "third handed out (" + description + ")");
            assertThat(seen).as(description).containsExactly("first", "third");
            assertSkipped(c, b, s);
        }
    }

    @Test
    void manualAckSkipsAMessageThatExpiredBeforeTheHandlerGotIt() throws Exception {
        List<Delivery> held = new CopyOnWriteArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.start(
                    "b",
                    cfg -> cfg.clock(clock).ackMode(AckMode.MANUAL).handler(d -> {
                        seen.add(text(d));
                        if (text(d).equals("first")) held.add(d);
                        else d.ack();
                    }));
            TetherNode a = c.start("a", cfg -> cfg.clock(clock));
            Sent s = sendTogether(c, a);
            awaitMoving(() -> !held.isEmpty(), "first handed out");
            expire();
            held.get(0).ack();
            awaitMoving(() -> seen.contains("third"), "third handed out");
            assertThat(seen).containsExactly("first", "third");
            assertSkipped(c, b, s);
        }
    }

    @Test
    void receiveNeverReturnsAMessageWhoseTimeToLiveRanOut() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.startPull("b", cfg -> cfg.clock(clock));
            TetherNode a = c.start("a", cfg -> cfg.clock(clock));
            Sent s = sendTogether(c, a);
            Delivery first = receiveMoving(b);
            assertThat(text(first)).isEqualTo("first");
            expire();
            first.ack();
            Delivery next = receiveMoving(b);
            assertThat(text(next)).isEqualTo("third");
            next.ack();
            assertSkipped(c, b, s);
        }
    }

    /**
     * The receiver is away: the sender expires the message itself at its deadline (outcome, event, statistics)
     * instead of waiting for the receiver to come back, and the receiver later skips it.
     */
    @Test
    void theSenderExpiresAMessageWhileItsReceiverIsAway() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.clock(clock));
            SendReceipt head =
                    a.send(OutboundMessage.to(B).payload(utf8("head")).ttl(TTL).build());
            SendReceipt kept = a.send(B, utf8("kept"));
            SendReceipt middle = a.send(
                    OutboundMessage.to(B).payload(utf8("middle")).ttl(TTL).build());
            SendReceipt last = a.send(B, utf8("last"));
            last.accepted().get(10, TimeUnit.SECONDS);
            CompletableFuture<Outcome> headOutcome = head.processed();
            expire();
            awaitMoving(() -> headOutcome.isDone() && middle.processed().isDone(), "outcomes while b is away");
            assertThat(headOutcome.get()).isEqualTo(Outcome.EXPIRED);
            assertThat(middle.processed().get()).isEqualTo(Outcome.EXPIRED);
            assertThat(kept.processed().isDone()).isFalse();
            StreamStats out = a.stats().stream(B, "default", StreamStats.Direction.OUTBOUND);
            assertThat(out.expired()).isEqualTo(2);
            assertThat(c.events("a"))
                    .filteredOn(e -> e instanceof TetherEvent.SendExpired)
                    .containsExactly(
                            new TetherEvent.SendExpired(B, "default", 1), new TetherEvent.SendExpired(B, "default", 3));
            assertThat(c.store("a").readOutbox(B, "default", 1, 10))
                    .as("the expired head is trimmed from the outbox; the middle one waits for the one before it")
                    .extracting(m -> m.seq())
                    .containsExactly(2L, 3L, 4L);

            c.start("b", cfg -> cfg.clock(clock));
            awaitMoving(() -> last.processed().isDone(), "the rest delivered");
            assertThat(c.payloads("b", "a", "default")).containsExactly("kept", "last");
            assertThat(kept.processed().get()).isEqualTo(Outcome.PROCESSED);
            awaitMoving(() -> c.store("a").readOutbox(B, "default", 1, 10).isEmpty(), "outbox trimmed");
        }
    }

    private Delivery receiveMoving(TetherNode b) {
        AtomicReference<Delivery> got = new AtomicReference<>();
        awaitMoving(
                () -> {
                    try {
                        got.set(b.receive(Duration.ofMillis(1)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError("interrupted", e);
                    }
                    return got.get() != null;
                },
                "a delivery");
        return got.get();
    }
}
