package dev.tether.bench;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
 * <p>Usage: {@code java -cp ... dev.tether.bench.InProcessBench [messages] [lanes] [rounds] [store]} where
 * store is {@code memory} (default), {@code sqlite-fsync} or {@code sqlite-os} (one SQLite file per node in a
 * temporary directory, durability FSYNC or OS_BUFFERED).
 */
public final class InProcessBench {
    private static final int PAYLOAD = 100;
    private static final NodeId A = NodeId.of("bench-a");
    private static final NodeId B = NodeId.of("bench-b");

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int lanes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        store = args.length > 3 ? args[3] : "memory";
        if (!List.of("memory", "sqlite-fsync", "sqlite-os").contains(store)) {
            throw new IllegalArgumentException("store must be memory, sqlite-fsync or sqlite-os, was " + store);
        }
        System.out.printf(
                Locale.ROOT,
                "# in-process bench: %,d messages x %d B, %d lanes, %d rounds, %d cores, %s, store %s%n",
                messages,
                PAYLOAD,
                lanes,
                rounds,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"),
                store);
        throughput(messages / 4, lanes); // warm-up, not reported
        double[] tether = new double[rounds];
        double[] cpu = new double[rounds];
        double[] raw = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] result = throughput(messages, lanes);
            tether[r] = result[0];
            cpu[r] = result[1];
            raw[r] = rawHandoff(messages);
            System.out.printf(
                    Locale.ROOT,
                    "round %d: tether %,.0f msg/s (CPU %.2f us/msg)   raw handoff %,.0f msg/s%n",
                    r + 1,
                    tether[r],
                    cpu[r],
                    raw[r]);
        }
        double t = median(tether);
        double p = median(raw);
        System.out.printf(
                Locale.ROOT,
                "throughput median: tether %,.0f msg/s (CPU %.2f us/msg), raw thread handoff %,.0f msg/s, ratio %.2f%n",
                t,
                median(cpu),
                p,
                t / p);
        latency(Math.min(messages, 500_000), 100_000);
    }

    private static TetherNode[] pair(InMemoryNetwork net, dev.tether.MessageHandler handler) {
        TetherNode a = Tether.start(config(net, A, B, d -> {}));
        TetherNode b = Tether.start(config(net, B, A, handler));
        return new TetherNode[] {a, b};
    }

    private static TetherConfig config(InMemoryNetwork net, NodeId self, NodeId peer, dev.tether.MessageHandler h) {
        return TetherConfig.builder(self)
                .peers(peer)
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
     * message in microseconds (every thread: sender, node loops, store writers, handlers, GC, JIT).
     */
    static double[] throughput(int messages, int lanes) {
        AtomicLong delivered = new AtomicLong();
        InMemoryNetwork net = new InMemoryNetwork();
        TetherNode[] n = pair(net, d -> delivered.incrementAndGet());
        String[] laneNames = new String[lanes];
        for (int i = 0; i < lanes; i++) laneNames[i] = "lane-" + i;
        byte[] payload = new byte[PAYLOAD];
        long maxOutstanding = 200_000;
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            while (i - delivered.get() > maxOutstanding) LockSupport.parkNanos(50_000);
            n[0].send(B, laneNames[i % lanes], payload);
        }
        while (delivered.get() < messages) LockSupport.parkNanos(100_000);
        long nanos = System.nanoTime() - start;
        long cpu = processCpuNanos() - cpuStart;
        n[0].shutdown(Duration.ofSeconds(5));
        n[1].shutdown(Duration.ofSeconds(5));
        return new double[] {messages * 1e9 / nanos, cpu / 1e3 / messages};
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The raw ceiling: byte arrays from one thread to another through a bounded queue. */
    static double rawHandoff(int messages) throws InterruptedException {
        ArrayBlockingQueue<byte[]> q = new ArrayBlockingQueue<>(8192);
        Thread consumer = new Thread(() -> {
            try {
                for (int i = 0; i < messages; i++) q.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        consumer.start();
        for (int i = 0; i < messages; i++) q.put(new byte[PAYLOAD]);
        consumer.join();
        return messages * 1e9 / (System.nanoTime() - start);
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

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private InProcessBench() {}
}
