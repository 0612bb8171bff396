package dev.tether.cli;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.fixtures.FaultyTransport;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * In-process demonstration: several nodes exchange messages all-to-all through a network that drops,
 * duplicates and reorders frames, while nodes crash and restart from their stores. The receivers check
 * every delivery against what was sent and the demo prints the verdict.
 */
final class Demo {
    private final DemoOptions o;
    private final PrintWriter out;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<NodeId> ids = new ArrayList<>();
    private final Map<NodeId, InMemoryStore> stores = new ConcurrentHashMap<>();
    private final Map<NodeId, TetherNode> nodes = new ConcurrentHashMap<>();
    private final List<FaultyTransport> transports = new ArrayList<>();
    /** Highest message index processed per (receiver, sender), the application's own state. */
    private final Map<String, Long> last = new ConcurrentHashMap<>();

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong redelivered = new AtomicLong();
    private final AtomicLong outOfOrder = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong inDoubt = new AtomicLong();
    private long crashSeed;

    private Demo(DemoOptions o, PrintWriter out) {
        this.o = o;
        this.out = out;
        for (int i = 1; i <= o.nodes(); i++) ids.add(NodeId.of("node-" + i));
    }

    static int run(DemoOptions o, PrintWriter out) {
        return new Demo(o, out).run();
    }

    private int run() {
        out.printf(
                Locale.ROOT,
                "Tether demo: %d nodes all-to-all, %,d messages per stream, seed %d%n",
                o.nodes(),
                o.messages(),
                o.seed());
        out.printf(
                Locale.ROOT,
                "network faults: drop %.0f%%, duplicate %.0f%%, reorder %.0f%%; node crashes: %d%n",
                o.drop() * 100,
                o.duplicate() * 100,
                o.reorder() * 100,
                o.crashes());
        crashSeed = o.seed();
        for (NodeId id : ids) {
            stores.put(id, new InMemoryStore());
            start(id);
        }
        long t0 = System.nanoTime();
        List<SendReceipt> window = new ArrayList<>();
        int crashEvery = o.crashes() == 0 ? Integer.MAX_VALUE : Math.max(1, o.messages() / (o.crashes() + 1));
        int crashes = 0;
        for (int i = 0; i < o.messages(); i++) {
            if (i > 0 && i % crashEvery == 0 && crashes < o.crashes()) {
                settle(window);
                crash(ids.get((int) Math.floorMod(crashSeed + crashes, (long) ids.size())), i);
                crashes++;
            }
            for (NodeId from : ids) {
                for (NodeId to : ids) {
                    if (!from.equals(to)) window.add(nodes.get(from).send(to, "demo", payload(from, i)));
                }
            }
            if (window.size() > 20_000) settle(window);
        }
        settle(window);
        boolean drained = awaitDrained(Duration.ofSeconds(120));
        double secs = (System.nanoTime() - t0) / 1e9;
        long expected = accepted.get();
        long lost = expected - delivered.get();
        long dropped = 0, dups = 0, reordered = 0;
        for (FaultyTransport t : transports) {
            dropped += t.drops();
            dups += t.duplicates();
            reordered += t.reorders();
        }
        nodes.values().forEach(TetherNode::close);
        out.printf(Locale.ROOT, "sent (accepted)        : %,d%n", expected);
        out.printf(Locale.ROOT, "delivered              : %,d%n", delivered.get());
        out.printf(Locale.ROOT, "lost                   : %,d%n", Math.max(0, lost));
        out.printf(
                Locale.ROOT,
                "duplicated             : %,d   (redeliveries flagged after crashes: %,d)%n",
                duplicated.get(),
                redelivered.get());
        out.printf(Locale.ROOT, "out of order           : %,d%n", outOfOrder.get());
        out.printf(
                Locale.ROOT, "in doubt at a crash    : %,d   (sends cut off by their node's crash)%n", inDoubt.get());
        out.printf(
                Locale.ROOT,
                "frames dropped / duplicated / reordered by the network: %,d / %,d / %,d%n",
                dropped,
                dups,
                reordered);
        out.printf(Locale.ROOT, "time %.1f s, %,.0f messages/s%n", secs, delivered.get() / secs);
        boolean pass = drained
                && lost <= 0
                && duplicated.get() == 0
                && outOfOrder.get() == 0
                && delivered.get() <= expected + inDoubt.get();
        out.println("VERDICT: " + (pass ? "PASS" : "FAIL") + (drained ? "" : " (not drained in time)"));
        return pass ? 0 : 1;
    }

    private void start(NodeId id) {
        FaultyTransport t = FaultyTransport.builder(network.newTransport())
                .seed(o.seed() * 31 + transports.size())
                .drop(o.drop())
                .duplicate(o.duplicate())
                .reorder(o.reorder())
                .delay(o.reorder(), Duration.ofMillis(2))
                .build();
        transports.add(t);
        List<NodeId> peers = new ArrayList<>(ids);
        peers.remove(id);
        nodes.put(
                id,
                Tether.start(TetherConfig.builder(id)
                        .peers(peers)
                        .transport(t)
                        .store(stores.get(id))
                        .durability(Durability.MEMORY)
                        .retransmitTimeout(Duration.ofMillis(50), Duration.ofSeconds(1))
                        .handler(d -> check(id, d))
                        .build()));
    }

    private void crash(NodeId id, int round) {
        out.printf(Locale.ROOT, "  crash %s at message %,d, restart from its store%n", id, round);
        nodes.remove(id).close();
        stores.put(id, stores.get(id).reopenAfterCrash());
        start(id);
    }

    private static byte[] payload(NodeId from, long index) {
        return ByteBuffer.allocate(100)
                .putLong(0, index)
                .put(8, (byte) from.value().hashCode())
                .array();
    }

    private void check(NodeId receiver, Delivery d) {
        long index = d.payload().getLong(0);
        String key = receiver + "<" + d.from();
        long prev = last.getOrDefault(key, -1L);
        if (index == prev + 1) {
            last.put(key, index);
            delivered.incrementAndGet();
        } else if (index <= prev) {
            (d.isRedelivery() ? redelivered : duplicated).incrementAndGet();
        } else {
            outOfOrder.incrementAndGet();
            last.put(key, index);
            delivered.incrementAndGet();
        }
    }

    /** Waits for every send in {@code window} to be accepted or to fail because its node crashed. */
    private void settle(List<SendReceipt> window) {
        for (SendReceipt r : window) {
            try {
                r.accepted().get(60, TimeUnit.SECONDS);
                accepted.incrementAndGet();
            } catch (Exception e) {
                Throwable c = e instanceof java.util.concurrent.ExecutionException || e instanceof CompletionException
                        ? e.getCause()
                        : e;
                if (c instanceof dev.tether.NodeClosedException) inDoubt.incrementAndGet();
                else throw new IllegalStateException("send failed: " + c, c);
            }
        }
        window.clear();
    }

    private boolean awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean idle = delivered.get() >= accepted.get();
            for (TetherNode n : nodes.values()) {
                NodeStats s = n.stats();
                idle &= s.queued() == 0 && s.inFlight() == 0;
            }
            if (idle) return true;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return false;
    }
}
