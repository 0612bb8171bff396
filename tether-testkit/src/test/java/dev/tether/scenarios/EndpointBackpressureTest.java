package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.OfferResult;
import dev.tether.OverflowPolicy;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StreamLimits;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code Endpoint.offer} and {@code Endpoint.send(..., maxWait)} (docs/MESSAGING.md, "Backpressure"): an offer never
 * waits nor throws for a full stream whatever its policy; senders waiting for room get it in the order they started
 * waiting, an interrupted one leaves the line without sending; a wait that ends refuses, counted and reported.
 */
class EndpointBackpressureTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");
    private static final Address BOB = Address.of(B, "bob");

    private static StreamStats outbound(TetherNode n, String lane) {
        for (StreamStats s : n.stats().streams()) {
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

    /** a with a limit of {@code n} under {@code policy} for b's bob (b down: the streams to it only fill). */
    private static Endpoint alice(Cluster c, int n, OverflowPolicy policy) {
        TetherNode a = c.start(
                "a",
                cfg -> cfg.endpointLimits("b/bob", StreamLimits.maxMessages(n).policy(policy))
                        .endpointLimits("b/news", StreamLimits.maxMessages(1).policy(OverflowPolicy.DROP_NEWEST)));
        return Tether.bus(a).endpoint("alice", d -> {});
    }

    @Test
    void offerTakesWhatFitsAndRefusesTheRestAtOnceWhateverThePolicy() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, 2, OverflowPolicy.block(DEADLINE)); // BLOCK: a send would wait 30 s
            OfferResult one = alice.offer(BOB, utf8("1"));
            OfferResult two = alice.offer(BOB, utf8("2"));
            OfferResult three = alice.offer(BOB, utf8("3"));
            assertThat(one.taken()).isTrue();
            assertThat(two.taken()).isTrue();
            assertThat(one.receipt().accepted().get(10, TimeUnit.SECONDS).seq()).isEqualTo(1);
            assertThat(three.taken()).isFalse();
            assertThat(three.receipt()).isNull();
            assertThat(three.refusal())
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream b/_a.bob holds 2 of its limit of 2")
                    .hasMessageNotContaining("waited");
            OfferResult sub = alice.offer(BOB, "x", Map.of("k", "v"), utf8("x")); // its own stream
            assertThat(sub.taken()).isTrue();
            Address news = Address.of(B, "news");
            assertThat(alice.offer(news, utf8("n0")).taken()).isTrue();
            OfferResult notDropped = alice.offer(news, utf8("n1")); // DROP_NEWEST would drop: an offer refuses
            assertThat(notDropped.taken()).isFalse();
            TetherNode a = c.node("a");
            assertThat(outbound(a, "_a.bob").rejected()).isEqualTo(1);
            assertThat(outbound(a, "_a.news").rejected()).isEqualTo(1);
            assertThat(outbound(a, "_a.news").dropped()).isZero();
            assertThat(alice.stats().sent()).isEqualTo(4); // the refused ones were not sent
            Await.until(DEADLINE, () -> overflows(c).size() >= 2, () -> "reports: " + overflows(c));
            assertThat(overflows(c))
                    .extracting(TetherEvent.Overflow::lane, TetherEvent.Overflow::what)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("_a.bob", TetherEvent.Overflow.What.REJECTED),
                            org.assertj.core.groups.Tuple.tuple("_a.news", TetherEvent.Overflow.What.REJECTED));
        }
    }

    /** Starts a thread sending {@code payload} to bob with a 30 s wait, and returns once it waits for room. */
    private static Thread blockedSender(
            TetherNode a, Endpoint from, String payload, CompletableFuture<SendReceipt> result) {
        long before = a.stats().blockedSends();
        Thread t = new Thread(() -> {
            try {
                result.complete(from.send(BOB, null, Map.of(), utf8(payload), DEADLINE));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        Await.until(
                DEADLINE,
                () -> a.stats().blockedSends() == before + 1 || result.isDone(),
                () -> "sender of " + payload + " waiting for room: " + a.stats().blockedSends());
        assertThat(result).isNotDone();
        return t;
    }

    @Test
    void sendersWaitingForRoomGetItInArrivalOrderAndAnInterruptedOneLeavesTheLine() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, 1, OverflowPolicy.REJECT); // the policy does not matter to a send that waits
            TetherNode a = c.node("a");
            alice.send(BOB, utf8("m0")).accepted().get(10, TimeUnit.SECONDS);
            List<CompletableFuture<SendReceipt>> results = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                CompletableFuture<SendReceipt> r = new CompletableFuture<>();
                threads.add(blockedSender(a, alice, "w" + i, r));
                results.add(r);
            }
            threads.get(1).interrupt();
            assertThatThrownBy(() -> results.get(1).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(InterruptedException.class);
            Await.until(DEADLINE, () -> a.stats().blockedSends() == 3, () -> "waiting: " + a.stats());
            assertThatThrownBy(() -> alice.send(BOB, utf8("late")))
                    .isInstanceOf(QueueFullException.class); // REJECT for sends that do not wait
            assertThat(alice.offer(BOB, utf8("late")).taken()).isFalse(); // nor does an offer overtake the line
            List<String> atBob = new CopyOnWriteArrayList<>();
            TetherNode b = c.start("b", cfg -> cfg.endpoint("bob")); // messages that come first wait for bob
            Tether.bus(b).endpoint("bob", d -> atBob.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
            for (int i : new int[] {0, 2, 3}) {
                results.get(i).get(30, TimeUnit.SECONDS).processed().get(30, TimeUnit.SECONDS);
            }
            assertThat(atBob).containsExactly("m0", "w0", "w2", "w3");
            assertThat(alice.stats().sent()).isEqualTo(4);
            assertThat(a.stats().blockedSends()).isZero();
        }
    }

    @Test
    void aWaitThatEndsWithoutRoomRefusesCountedAndReportedAsTimedOut() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, 1, OverflowPolicy.REJECT);
            alice.send(BOB, utf8("m0"));
            assertThatThrownBy(() -> alice.send(BOB, null, Map.of(), utf8("late"), Duration.ofMillis(100)))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream b/_a.bob holds 1 of its limit of 1")
                    .hasMessageContaining("waited 100 ms");
            assertThat(outbound(c.node("a"), "_a.bob").rejected()).isEqualTo(1);
            Await.until(DEADLINE, () -> !overflows(c).isEmpty(), () -> "reports: " + overflows(c));
            assertThat(overflows(c).get(0).what()).isEqualTo(TetherEvent.Overflow.What.TIMED_OUT);
            assertThatThrownBy(() -> alice.send(BOB, null, Map.of(), utf8("x"), Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWait must be positive, was PT0S");
            assertThatThrownBy(() -> alice.send(new Address(B, null), null, Map.of(), utf8("x"), DEADLINE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("names a node");
            alice.close();
            assertThatThrownBy(() -> alice.offer(BOB, utf8("x")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void theNodeItselfOffersAndWaitsForRoomInTheStreamItsEndpointsShare() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, 2, OverflowPolicy.REJECT);
            TetherNode a = c.node("a");
            Bus bus = Tether.bus(a);
            assertThat(bus.offer(BOB, utf8("n0")).taken()).isTrue();
            assertThat(alice.offer(BOB, utf8("a0")).taken()).isTrue();
            OfferResult full = bus.offer(BOB, null, Map.of("k", "v"), utf8("n1"));
            assertThat(full.taken()).isFalse();
            assertThat(full.refusal())
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("stream b/_a.bob holds 2 of its limit of 2");
            assertThatThrownBy(() -> bus.send(BOB, null, Map.of(), utf8("late"), Duration.ofMillis(100)))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("waited 100 ms");
            assertThat(outbound(a, "_a.bob").rejected()).isEqualTo(2);

            CompletableFuture<SendReceipt> waited = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    waited.complete(bus.send(BOB, null, Map.of("k", "v"), utf8("n2"), DEADLINE));
                } catch (Throwable e) {
                    waited.completeExceptionally(e);
                }
            });
            t.start();
            Await.until(DEADLINE, () -> a.stats().blockedSends() == 1, () -> "waiting: " + a.stats());
            List<String> atBob = new CopyOnWriteArrayList<>();
            TetherNode b = c.start("b", cfg -> cfg.endpoint("bob"));
            Tether.bus(b)
                    .endpoint(
                            "bob",
                            d -> atBob.add(
                                    d.fromAddress() + ":" + new String(d.payloadBytes(), StandardCharsets.UTF_8)));
            waited.get(30, TimeUnit.SECONDS).processed().get(30, TimeUnit.SECONDS);
            assertThat(atBob).containsExactly("a:n0", "a/alice:a0", "a:n2");
        }
    }

    @Test
    void anEndpointOnTheNodeThreadMayNotWaitForRoomButMayOffer() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = alice(c, 1, OverflowPolicy.REJECT);
            alice.send(BOB, utf8("m0"));
            CompletableFuture<Object> seen = new CompletableFuture<>();
            TetherNode a = c.node("a");
            Tether.bus(a).endpoint("onthread", EndpointOptions.defaults().onNodeThread(), d -> {
                Endpoint self = Tether.bus(a).find("onthread").orElseThrow();
                try {
                    self.send(BOB, null, Map.of(), utf8("w"), Duration.ofSeconds(1));
                    seen.complete("sent");
                } catch (Throwable t) {
                    seen.complete(List.of(t, self.offer(BOB, utf8("o"))));
                }
            });
            alice.send(Address.of(a.id(), "onthread"), utf8("go"));
            Object r = seen.get(30, TimeUnit.SECONDS);
            assertThat(r).isInstanceOf(List.class);
            List<?> l = (List<?>) r;
            assertThat((Throwable) l.get(0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("node thread");
            assertThat(((OfferResult) l.get(1)).taken()).isFalse();
        }
    }
}
