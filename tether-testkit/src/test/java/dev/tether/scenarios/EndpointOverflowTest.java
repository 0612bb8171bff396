package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.MessageDroppedException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.OverflowPolicy;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StreamLimits;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code TetherConfig.Builder.endpointLimits} (docs/MESSAGING.md, "Backpressure"): the streams to the endpoints an
 * address glob matches get its limits and policy, remote and local (loopback), every sub-lane; endpoint sends follow
 * REJECT, BLOCK, DROP_NEWEST and DROP_OLDEST with exact counts and reports; other endpoints and application lanes keep
 * theirs; bad patterns are refused naming the problem.
 */
class EndpointOverflowTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Address BOB = Address.of(B, "bob");

    private static StreamLimits limit(int n, OverflowPolicy p) {
        return StreamLimits.maxMessages(n).policy(p);
    }

    private static StreamStats outbound(TetherNode n, NodeId peer, String lane) {
        for (StreamStats s : n.stats().streams()) {
            if (s.direction() == StreamStats.Direction.OUTBOUND
                    && s.peer().equals(peer)
                    && s.lane().equals(lane)) {
                return s;
            }
        }
        throw new AssertionError("no outbound stream " + peer + "/" + lane);
    }

    private static List<TetherEvent.Overflow> overflows(Cluster c) {
        List<TetherEvent.Overflow> l = new ArrayList<>();
        for (TetherEvent e : c.events("a")) if (e instanceof TetherEvent.Overflow o) l.add(o);
        return l;
    }

    /** a with {@code limits} for b's bob (b down: the streams to it only fill), and alice to send from. */
    private static Endpoint alice(Cluster c, StreamLimits limits) {
        TetherNode a = c.start("a", cfg -> cfg.endpointLimits("b/bob", limits));
        return Tether.bus(a).endpoint("alice", d -> {});
    }

    @Test
    void rejectRefusesAtOnceOnEachSubLaneCountsAndReportsWhileOtherEndpointsAndLanesKeepTheirs() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, limit(2, OverflowPolicy.REJECT));
            TetherNode a = c.node("a");
            for (int i = 0; i < 2; i++)
                alice.send(BOB, utf8("m" + i)).accepted().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> alice.send(BOB, utf8("m2")))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream b/_a.bob holds 2 of its limit of 2");
            for (int i = 0; i < 2; i++) alice.send(BOB, "x", Map.of(), utf8("x" + i)); // its own stream, same limit
            assertThatThrownBy(() -> alice.send(BOB, "x", Map.of(), utf8("x2")))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream b/_a.bob.x holds 2 of its limit of 2");
            for (int i = 0; i < 5; i++) alice.send(Address.of(B, "carol"), utf8("c" + i)); // no rule: the default
            for (int i = 0; i < 5; i++) a.send(B, "bob", utf8("l" + i)); // an application lane: no endpoint rule
            assertThat(outbound(a, B, "_a.bob").rejected()).isEqualTo(1);
            assertThat(outbound(a, B, "_a.bob.x").rejected()).isEqualTo(1);
            assertThat(outbound(a, B, "_a.carol").rejected()).isZero();
            assertThat(a.stats().rejected()).isEqualTo(2);
            Await.until(DEADLINE, () -> overflows(c).size() >= 2, () -> "reports: " + overflows(c));
            assertThat(overflows(c))
                    .extracting(TetherEvent.Overflow::lane, TetherEvent.Overflow::what, TetherEvent.Overflow::count)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("_a.bob", TetherEvent.Overflow.What.REJECTED, 1L),
                            org.assertj.core.groups.Tuple.tuple("_a.bob.x", TetherEvent.Overflow.What.REJECTED, 1L));
        }
    }

    @Test
    void dropNewestDropsTheNewSendWithoutThrowing() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, limit(2, OverflowPolicy.DROP_NEWEST));
            alice.send(BOB, utf8("m0"));
            alice.send(BOB, utf8("m1"));
            SendReceipt third = alice.send(BOB, utf8("m2")); // no exception
            assertThatThrownBy(() -> third.accepted().get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(MessageDroppedException.class);
            assertThat(third.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.DROPPED);
            assertThat(outbound(c.node("a"), B, "_a.bob").dropped()).isEqualTo(1);
            assertThat(c.node("a").stats().dropped()).isEqualTo(1);
        }
    }

    @Test
    void dropOldestDropsTheOldestUntransmittedSendAndBobGetsTheRestInOrder() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, limit(3, OverflowPolicy.DROP_OLDEST));
            List<SendReceipt> sent = new ArrayList<>();
            for (int i = 1; i <= 3; i++) sent.add(alice.send(BOB, utf8("m" + i)));
            for (SendReceipt r : sent) r.accepted().get(10, TimeUnit.SECONDS); // b down: none transmitted
            SendReceipt fourth = alice.send(BOB, utf8("m4"));
            assertThat(sent.get(0).processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.DROPPED);
            List<String> atBob = new CopyOnWriteArrayList<>();
            TetherNode b = c.start("b", cfg -> cfg.endpoint("bob")); // messages that come first wait for bob
            Tether.bus(b).endpoint("bob", d -> atBob.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
            assertThat(fourth.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(atBob).containsExactly("m2", "m3", "m4");
            assertThat(outbound(c.node("a"), B, "_a.bob").dropped()).isEqualTo(1);
            assertThat(outbound(c.node("a"), B, "_a.bob").rejected()).isZero();
        }
    }

    @Test
    void blockWaitsForRoomUntilBobTakesCareOfTheQueueOrTheWaitEnds() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, limit(1, OverflowPolicy.block(DEADLINE)));
            alice.send(BOB, utf8("m0")).accepted().get(10, TimeUnit.SECONDS);
            CompletableFuture<SendReceipt> waiting = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    waiting.complete(alice.send(BOB, utf8("m1")));
                } catch (Throwable e) {
                    waiting.completeExceptionally(e);
                }
            });
            t.start();
            Await.until(
                    DEADLINE,
                    () -> c.node("a").stats().blockedSends() == 1,
                    () -> "alice waiting: " + c.node("a").stats().blockedSends());
            assertThat(waiting).isNotDone();
            TetherNode b = c.start("b", cfg -> cfg.endpoint("bob")); // messages that come first wait for bob
            List<String> atBob = new CopyOnWriteArrayList<>();
            Tether.bus(b).endpoint("bob", d -> atBob.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
            assertThat(waiting.get(30, TimeUnit.SECONDS).processed().get(30, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            assertThat(atBob).containsExactly("m0", "m1");
        }
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, limit(1, OverflowPolicy.block(Duration.ofMillis(100))));
            alice.send(BOB, utf8("m0"));
            assertThatThrownBy(() -> alice.send(BOB, utf8("m1")))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream b/_a.bob holds 1 of its limit of 1")
                    .hasMessageContaining("waited 100 ms");
            assertThat(outbound(c.node("a"), B, "_a.bob").rejected()).isEqualTo(1);
        }
    }

    @Test
    void localEndpointsFollowTheirPolicyOnTheLoopbackStream() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.start(
                    "a",
                    cfg -> cfg.endpointLimits("a/slow", limit(2, OverflowPolicy.REJECT))
                            .endpointLimits("a/news", limit(2, OverflowPolicy.DROP_NEWEST))
                            .endpointLimits("*/*", limit(1, OverflowPolicy.block(Duration.ofMillis(50)))));
            Tether.bus(a).endpoint("slow", d -> release.await(30, TimeUnit.SECONDS)); // holds its stream
            Tether.bus(a).endpoint("news", d -> release.await(30, TimeUnit.SECONDS));
            Tether.bus(a).endpoint("other", d -> release.await(30, TimeUnit.SECONDS));
            Endpoint alice = Tether.bus(a).endpoint("alice", d -> {});
            Address slow = Address.of(A, "slow");
            alice.send(slow, utf8("s0"));
            alice.send(slow, utf8("s1"));
            assertThatThrownBy(() -> alice.send(slow, utf8("s2")))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream a/_a.slow holds 2 of its limit of 2");
            alice.send(Address.of(A, "news"), utf8("n0"));
            alice.send(Address.of(A, "news"), utf8("n1"));
            SendReceipt dropped = alice.send(Address.of(A, "news"), utf8("n2"));
            assertThat(dropped.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.DROPPED);
            alice.send(Address.of(A, "other"), utf8("o0")); // the catch-all rule: 1, BLOCK 50 ms
            assertThatThrownBy(() -> alice.send(Address.of(A, "other"), utf8("o1")))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("waited 50 ms");
            assertThat(outbound(a, A, "_a.slow").rejected()).isEqualTo(1);
            assertThat(outbound(a, A, "_a.news").dropped()).isEqualTo(1);
            assertThat(outbound(a, A, "_a.other").rejected()).isEqualTo(1);
            release.countDown();
            Await.until(DEADLINE, () -> taken(alice, slow), () -> "room back at slow: " + outbound(a, A, "_a.slow"));
        }
    }

    /** Whether a send to {@code to} was taken (its stream had room). */
    private static boolean taken(Endpoint from, Address to) {
        try {
            from.send(to, utf8("again"));
            return true;
        } catch (QueueFullException e) {
            return false;
        }
    }

    @Test
    void badAddressPatternsAreRefusedNamingTheProblem() {
        TetherConfig.Builder b = TetherConfig.builder(A);
        StreamLimits l = StreamLimits.maxMessages(5);
        assertThatThrownBy(() -> b.endpointLimits("bob", l))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(
                        "endpoint limits need an address pattern NODE/AGENT (globs, '*' for any), got 'bob'");
        for (String p : new String[] {"/bob", "b/", "b/bob/x"}) {
            assertThatThrownBy(() -> b.endpointLimits(p, l))
                    .isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("got '" + p + "'");
        }
        assertThatThrownBy(() -> b.endpointLimits("b/bo.b", l))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("invalid agent pattern 'bo.b'")
                .hasMessageContaining("(no dot)");
        assertThatThrownBy(() -> b.endpointLimits("b c/bob", l))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("invalid node pattern 'b c'");
        assertThatThrownBy(() -> b.endpointLimits("b/bob", null)).isInstanceOf(NullPointerException.class);
    }
}
