package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointDelivery;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Endpoints on channels across crashes (docs/BUS-DESIGN.md, section 10, step 11), on SQLite files at FSYNC: node b,
 * whose durable endpoints joined a channel, is crashed in-process ({@link NodeCrash}) at seeded points while it
 * fans out a's publishes and its own endpoint's, and restarted on the same file, where its endpoints are registered
 * again without joining again (their memberships are stored). Each endpoint gets every publish, in each publisher's
 * order, from one stored copy (one sequence number per message on its channel lane); a message handed out again
 * after a crash is flagged as a redelivery.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EndpointFanOutCrashTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String CH = "ticks";
    private static final int CYCLES = 5;
    private static final int PER_CYCLE = 80;
    private static final int OWN_PER_CYCLE = 10;

    static {
        System.out.println("EndpointFanOutCrashTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();

    /** One delivery to an endpoint. */
    private record Got(String payload, long seq, boolean redelivery, String from) {}

    /** What each endpoint got, over every lifetime of its node. */
    private final Map<String, List<Got>> got = new ConcurrentHashMap<>();

    private TetherNode node(NodeId self, NodeId peer) {
        return node(self, peer, new SqliteStore(dir.resolve(self.value() + ".db")));
    }

    private TetherNode node(NodeId self, NodeId peer, Store store) {
        return Tether.start(config(self, peer, store).build());
    }

    private TetherConfig.Builder config(NodeId self, NodeId peer, Store store) {
        return TetherConfig.builder(self)
                .peers(peer)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.FSYNC);
    }

    private Endpoint endpoint(TetherNode n, String name) {
        List<Got> l = got.computeIfAbsent(n.id() + "/" + name, k -> new CopyOnWriteArrayList<>());
        Bus bus = Tether.bus(n);
        return bus.endpoint(
                name,
                EndpointOptions.defaults().durable(),
                (EndpointDelivery d) -> l.add(new Got(
                        new String(d.payloadBytes(), StandardCharsets.UTF_8),
                        d.seq(),
                        d.isRedelivery(),
                        d.fromAddress().toString())));
    }

    private List<Got> got(String endpoint) {
        return got.getOrDefault(endpoint, List.of());
    }

    /** The distinct payloads {@code endpoint} got from {@code from}, in the order of their first delivery. */
    private List<String> firsts(String endpoint, String from) {
        Set<String> s = new LinkedHashSet<>();
        for (Got g : got(endpoint)) {
            if (g.from.equals(from)) s.add(g.payload);
        }
        return new ArrayList<>(s);
    }

    @Test
    void eachEndpointGetsEveryPublishOnceInOrderAcrossCrashesOfTheFanningOutNode() throws Exception {
        Random rnd = new Random(SEED);
        TetherNode a = node(A, B);
        TetherNode b = node(B, A);
        Endpoint pa = endpoint(a, "pa");
        endpoint(a, "ra").join(CH, ChannelRole.READ).get(60, TimeUnit.SECONDS);
        pa.join(CH, ChannelRole.WRITE).get(60, TimeUnit.SECONDS);
        List<String> readers = List.of("b/r0", "b/r1", "b/r2");
        Endpoint pb = registerB(b, true);
        List<String> fromA = new ArrayList<>();
        List<String> fromB = new ArrayList<>();
        try {
            for (int c = 0; c < CYCLES; c++) {
                List<SendReceipt> own = new ArrayList<>();
                for (int i = 0; i < PER_CYCLE; i++) {
                    pa.publish(CH, bytes("a" + c + "." + i));
                    fromA.add("a" + c + "." + i);
                    if (i % (PER_CYCLE / OWN_PER_CYCLE) == 0) {
                        own.add(pb.publish(CH, bytes("b" + c + "." + i)));
                        fromB.add("b" + c + "." + i);
                    }
                }
                for (SendReceipt r : own) r.accepted().get(60, TimeUnit.SECONDS); // stored: owed after a crash
                int before = firsts("b/r0", "a/pa").size();
                // Within this cycle's fan-out, but never beyond what was published: r0 may be close to the end already.
                int at = Math.min(fromA.size(), before + 1 + rnd.nextInt(PER_CYCLE / 2));
                Await.until(DEADLINE, () -> firsts("b/r0", "a/pa").size() >= at, () -> "r0 at " + at);
                NodeCrash.crash(b);
                System.out.println(
                        "cycle " + c + ": b crashed after r0 got " + got("b/r0").size());
                b = node(B, A);
                pb = registerB(b, false);
                assertThat(pb.channels())
                        .as("a durable endpoint's membership survives")
                        .containsKey(CH);
            }
            Await.until(
                    DEADLINE,
                    () -> readers.stream()
                                    .allMatch(r -> firsts(r, "a/pa").size() == fromA.size()
                                            && firsts(r, "b/pb").size() == fromB.size())
                            && firsts("a/ra", "b/pb").size() == fromB.size()
                            && firsts("a/ra", "a/pa").size() == fromA.size()
                            && firsts("b/pb", "a/pa").size() == fromA.size(),
                    () -> "not all delivered: " + sizes());
            for (String r : readers) check(r, fromA, fromB);
            check("b/pb", fromA, List.of());
            check("a/ra", fromA, fromB);
        } finally {
            b.shutdown(Duration.ofSeconds(5));
            a.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A crash between processing a channel message and the commit that records it processed (held, so it never
     * happens) loses the message's copies with it: they are stored in that very commit, not before it (else the
     * endpoint would get the message twice, from two stored copies), and made again when the message comes again
     * after the restart (else the endpoint would never get it). Node b reads the channel itself too, with a handler
     * that holds the first message: its copies must wait for it. The restarted b gets m1..m3 again from a as soon as it
     * connects, at its channel handler (registered before the start: one registered on the running node could come too
     * late for them), before r0 is registered: their copies wait for r0 (a durable endpoint).
     */
    @Test
    void aCrashBeforeTheCommitThatSettlesAChannelMessageLosesItsCopiesWhichAreMadeOnceAfterTheRestart()
            throws Exception {
        TetherNode a = node(A, B);
        HeldStore held = new HeldStore(new SqliteStore(dir.resolve("b.db")));
        TetherNode b = node(B, A, held);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        b.handleChannel(CH, d -> {
            entered.countDown();
            release.await(60, TimeUnit.SECONDS);
        });
        b.join(CH, ChannelRole.READ).get(60, TimeUnit.SECONDS);
        endpoint(b, "r0").join(CH, ChannelRole.READ).get(60, TimeUnit.SECONDS);
        Endpoint pa = endpoint(a, "pa");
        pa.join(CH, ChannelRole.WRITE).get(60, TimeUnit.SECONDS);
        try {
            for (String m : List.of("m1", "m2", "m3")) pa.publish(CH, bytes(m));
            assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
            held.holdNext(batch ->
                    batch.cursors().stream().anyMatch(c -> c.lane().equals(Channels.lane(CH)) && c.processedSeq() > 0));
            release.countDown();
            assertThat(held.awaitHolding(DEADLINE))
                    .as("the settling commit held")
                    .isTrue();
            assertThat(held.held().appends())
                    .as("the copies are in the commit that settles their channel message")
                    .anySatisfy(m -> assertThat(m.lane()).isEqualTo("_e.r0"));
            NodeCrash.crash(b);
            assertThat(got("b/r0"))
                    .as("nothing handed out before its copy was stored")
                    .isEmpty();

            // In the configuration: b.handleChannel after the start raced a's retransmission of m1..m3, which went
            // to the pull queue when it lost, unsettled: r0 got nothing (nor the marker behind).
            List<String> handled = new CopyOnWriteArrayList<>();
            b = Tether.start(config(B, A, new SqliteStore(dir.resolve("b.db")))
                    .handleChannel(CH, d -> handled.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                    .build());
            Await.until(DEADLINE, () -> handled.containsAll(List.of("m1", "m2", "m3")), () -> "b handled " + handled);
            endpoint(b, "r0");
            pa.publish(CH, bytes("marker")); // after every copy of m1..m3 on r0's lane
            Await.until(DEADLINE, () -> firsts("b/r0", "a/pa").contains("marker"), () -> "r0 got " + got("b/r0"));
            assertThat(got("b/r0")).extracting(Got::payload).containsExactly("m1", "m2", "m3", "marker");
        } finally {
            release.countDown();
            b.shutdown(Duration.ofSeconds(5));
            a.shutdown(Duration.ofSeconds(5));
        }
    }

    /** Registers b's endpoints (joining the first time only): three readers and a publisher that reads too. */
    private Endpoint registerB(TetherNode b, boolean join) throws Exception {
        for (int i = 0; i < 3; i++) {
            Endpoint r = endpoint(b, "r" + i);
            if (join) r.join(CH, ChannelRole.READ).get(60, TimeUnit.SECONDS);
        }
        Endpoint pb = endpoint(b, "pb");
        if (join) pb.join(CH, ChannelRole.READ_WRITE).get(60, TimeUnit.SECONDS);
        return pb;
    }

    private void check(String endpoint, List<String> fromA, List<String> fromB) {
        assertThat(firsts(endpoint, "a/pa"))
                .as(endpoint + ": a's publishes in order")
                .isEqualTo(fromA);
        assertThat(firsts(endpoint, "b/pb"))
                .as(endpoint + ": b's publishes in order")
                .isEqualTo(fromB);
        Map<String, Set<Long>> seqs = new HashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Got g : got(endpoint)) {
            seqs.computeIfAbsent(g.from + " " + g.payload, k -> new java.util.HashSet<>())
                    .add(g.seq);
            if (!seen.add(g.from + " " + g.payload)) {
                assertThat(g.redelivery)
                        .as(endpoint + ": " + g + " handed out again unflagged")
                        .isTrue();
            }
        }
        seqs.forEach((p, s) ->
                assertThat(s).as(endpoint + ": one stored copy of " + p).hasSize(1));
    }

    private String sizes() {
        Map<String, Integer> m = new HashMap<>();
        got.forEach((k, v) -> m.put(k, v.size()));
        return m.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
