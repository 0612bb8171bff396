package dev.tether.bench;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.measure.SummaryRow;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The in-process path: two nodes in one JVM over the in-memory transport with in-memory stores (durability
 * MEMORY), 100-byte payloads, pipelined. Measures sustained throughput (first send to last delivery) and,
 * in a second run at a fixed offered rate, end-to-end latency percentiles. As a peer it measures the raw
 * ceiling of this machine for the same shape of work: 100-byte arrays handed from one thread to another
 * through an {@link ArrayBlockingQueue}, with no protocol, storage or acknowledgment.
 *
 * <p>With {@code --loopback} it measures instead one node sending to itself (loopback streams, docs/PROTOCOL.md
 * "Loopback streams") against the two nodes as its peer, in the same run, with the same store.
 *
 * <p>Usage: {@code scripts/bench inprocess [--messages N] [--lanes N] [--repeat N] [--max-warmup N] [--store S]
 * [--summary FILE] [--quick] [--loopback]} (or the older positional {@code messages lanes rounds [store]}) where store is {@code
 * memory} (default), {@code sqlite-fsync} or {@code sqlite-os} (one SQLite file per node in a temporary directory,
 * durability FSYNC or OS_BUFFERED). Both Tether and the raw handoff warm up by {@link Steady}'s rule before their
 * {@code --repeat} measured rounds; each round starts a fresh pair of nodes in this JVM, so the cold round measures
 * a cold JIT and later rounds a warm one.
 */
public final class InProcessBench {
    private static final int PAYLOAD = 100;
    private static final NodeId A = NodeId.of("bench-a");
    private static final NodeId B = NodeId.of("bench-b");

    public static void main(String[] args) throws Exception {
        Map<String, String> a = options(args);
        boolean quick = a.containsKey("--quick");
        int messages = Integer.parseInt(a.getOrDefault("--messages", quick ? "20000" : "2000000"));
        int lanes = Integer.parseInt(a.getOrDefault("--lanes", "4"));
        int repeat = Integer.parseInt(a.getOrDefault("--repeat", quick ? "2" : String.valueOf(Steady.REPEAT)));
        int maxWarmUp =
                Integer.parseInt(a.getOrDefault("--max-warmup", quick ? "2" : String.valueOf(Steady.MAX_WARM_UP)));
        store = a.getOrDefault("--store", "memory");
        if (!List.of("memory", "sqlite-fsync", "sqlite-os").contains(store)) {
            throw new IllegalArgumentException("store must be memory, sqlite-fsync or sqlite-os, was " + store);
        }
        System.out.printf(
                Locale.ROOT,
                "# in-process bench: %,d messages x %d B, %d lanes, warm-up until two rounds differ by < %.0f%% (at most"
                        + " %d), then %d measured rounds, %d cores, %s, store %s; load average %s%n",
                messages,
                PAYLOAD,
                lanes,
                Steady.TOLERANCE * 100,
                maxWarmUp,
                repeat,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"),
                store,
                Load.now());
        if (a.containsKey("--loopback")) {
            loopbackAgainstTwoNodes(messages, lanes, maxWarmUp, repeat);
            return;
        }
        Series tether = Steady.run("tether", maxWarmUp, repeat, Steady::rate, () -> throughput(messages, lanes, false));
        Series raw = Steady.run("raw-handoff", maxWarmUp, repeat, Steady::rate, () -> rawHandoff(messages));
        System.out.printf(
                Locale.ROOT,
                "throughput median: tether %,.0f msg/s (CPU %.2f us/msg), raw thread handoff %,.0f msg/s (CPU %.2f"
                        + " us/msg), ratio %.2f; load average at the end %s%n",
                tether.median(),
                tether.cpuMedian() / 1e3,
                raw.median(),
                raw.cpuMedian() / 1e3,
                tether.median() / raw.median(),
                Load.now());
        if (a.containsKey("--summary") && store.equals("memory")) {
            SummaryRow.append(Path.of(a.get("--summary")), List.of(summaryRow(tether, raw)));
        }
        latency(Math.min(messages, 500_000), 100_000);
    }

    /** One node sending to itself, then two nodes in this JVM as its peer; both with the same store. */
    private static void loopbackAgainstTwoNodes(int messages, int lanes, int maxWarmUp, int repeat) throws Exception {
        Series loop = Steady.run("loopback", maxWarmUp, repeat, Steady::rate, () -> throughput(messages, lanes, true));
        Series two = Steady.run("two-nodes", maxWarmUp, repeat, Steady::rate, () -> throughput(messages, lanes, false));
        System.out.printf(
                Locale.ROOT,
                "throughput median, store %s: loopback %,.0f msg/s (CPU %.2f us/msg), two nodes in one process %,.0f"
                        + " msg/s (CPU %.2f us/msg), ratio %.2f (CPU %.2f); load average at the end %s%n",
                store,
                loop.median(),
                loop.cpuMedian() / 1e3,
                two.median(),
                two.cpuMedian() / 1e3,
                loop.median() / two.median(),
                loop.cpuMedian() / two.cpuMedian(),
                Load.now());
    }

    private static SummaryRow summaryRow(Series tether, Series raw) {
        return new SummaryRow(
                "in-process, in-memory store: >= 1,000,000 msg/s",
                SummaryRow.rateFigure(tether, "msg/s"),
                tether.cpuMedian(),
                SummaryRow.peer(
                        "raw thread handoff (`ArrayBlockingQueue`)",
                        String.format(Locale.ROOT, "%,.0f msg/s", raw.median()),
                        raw),
                SummaryRow.ratio(tether.median(), raw.median()),
                tether.median() >= 1_000_000 ? "met" : "**not met**",
                tether.loadText(),
                "scripts/bench inprocess");
    }

    /**
     * {@code --name value} pairs and the flag {@code --quick}; three bare numbers and a store name are read as the
     * older positional form {@code messages lanes rounds [store]}.
     */
    static Map<String, String> options(String... args) {
        Map<String, String> m = new HashMap<>();
        if (args.length > 0 && !args[0].startsWith("--")) {
            String[] names = {"--messages", "--lanes", "--repeat", "--store"};
            for (int i = 0; i < args.length && i < names.length; i++) m.put(names[i], args[i]);
            return m;
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick") || args[i].equals("--loopback")) {
                m.put(args[i], "");
            } else if (List.of("--messages", "--lanes", "--repeat", "--max-warmup", "--store", "--summary")
                    .contains(args[i])) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
                m.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; see InProcessBench javadoc");
            }
        }
        return m;
    }

    private static TetherNode[] pair(InMemoryNetwork net, dev.tether.MessageHandler handler) {
        TetherNode a = Tether.start(config(net, A, B, d -> {}));
        TetherNode b = Tether.start(config(net, B, A, handler));
        return new TetherNode[] {a, b};
    }

    private static TetherConfig config(InMemoryNetwork net, NodeId self, NodeId peer, dev.tether.MessageHandler h) {
        return TetherConfig.builder(self)
                .peers(peer == null ? List.of() : List.of(peer))
                .transport(net.newTransport())
                .store(newStore(self))
                .durability(durability())
                .window(8192)
                .handler(h)
                .build();
    }

    private static String store = "memory";

    private static Store newStore(NodeId self) {
        if (store.equals("memory")) return new InMemoryStore();
        try {
            Path dir = Files.createTempDirectory("tether-bench-");
            return new SqliteStore(dir.resolve("tether-" + self + ".db"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Durability durability() {
        return switch (store) {
            case "sqlite-fsync" -> Durability.FSYNC;
            case "sqlite-os" -> Durability.OS_BUFFERED;
            default -> Durability.MEMORY;
        };
    }

    /**
     * Messages per second from the first send to the last delivery, and the CPU time this JVM used meanwhile per
     * message (every thread: sender, node loops, store writers, handlers, GC, JIT).
     */
    static Round throughput(int messages, int lanes, boolean loopback) {
        AtomicLong delivered = new AtomicLong();
        InMemoryNetwork net = new InMemoryNetwork();
        dev.tether.MessageHandler count = d -> delivered.incrementAndGet();
        TetherNode[] n = loopback ? new TetherNode[] {Tether.start(config(net, A, null, count))} : pair(net, count);
        NodeId to = loopback ? A : B;
        String[] laneNames = new String[lanes];
        for (int i = 0; i < lanes; i++) laneNames[i] = "lane-" + i;
        byte[] payload = new byte[PAYLOAD];
        long maxOutstanding = 200_000;
        Meter meter = Meter.start();
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            while (i - delivered.get() > maxOutstanding) LockSupport.parkNanos(50_000);
            n[0].send(to, laneNames[i % lanes], payload);
        }
        while (delivered.get() < messages) LockSupport.parkNanos(100_000);
        Round r = meter.rate(messages, System.nanoTime() - start);
        for (TetherNode node : n) node.shutdown(Duration.ofSeconds(5));
        return r;
    }

    /** The raw ceiling: byte arrays from one thread to another through a bounded queue. */
    static Round rawHandoff(int messages) throws InterruptedException {
        ArrayBlockingQueue<byte[]> q = new ArrayBlockingQueue<>(8192);
        Thread consumer = new Thread(() -> {
            try {
                for (int i = 0; i < messages; i++) q.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Meter meter = Meter.start();
        long start = System.nanoTime();
        consumer.start();
        for (int i = 0; i < messages; i++) q.put(new byte[PAYLOAD]);
        consumer.join();
        return meter.rate(messages, System.nanoTime() - start);
    }

    /** Offers {@code rate} messages per second on one lane and reports send-to-handler latency percentiles. */
    static void latency(int messages, int rate) {
        long[] lat = new long[messages];
        AtomicLong delivered = new AtomicLong();
        InMemoryNetwork net = new InMemoryNetwork();
        TetherNode[] n = pair(net, d -> {
            long sentAt = d.payload().getLong(0);
            lat[(int) d.payload().getLong(8)] = System.nanoTime() - sentAt;
            delivered.incrementAndGet();
        });
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            // Park, not spin: a spinning sender would take one of the two cores the nodes need.
            if (wait > 0) LockSupport.parkNanos(wait);
            n[0].send(
                    B,
                    ByteBuffer.allocate(PAYLOAD)
                            .putLong(0, System.nanoTime())
                            .putLong(8, i)
                            .array());
        }
        while (delivered.get() < messages) LockSupport.parkNanos(100_000);
        n[0].shutdown(Duration.ofSeconds(5));
        n[1].shutdown(Duration.ofSeconds(5));
        Arrays.sort(lat);
        System.out.printf(
                Locale.ROOT,
                "latency at %,d msg/s offered (%,d messages, one lane): p50 %.1f us, p99 %.1f us, p99.9 %.1f us,"
                        + " max %.1f us%n",
                rate,
                messages,
                pct(lat, 0.50),
                pct(lat, 0.99),
                pct(lat, 0.999),
                lat[lat.length - 1] / 1e3);
    }

    private static double pct(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] / 1e3;
    }

    private InProcessBench() {}
}
