package dev.tether.bench;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.OverflowPolicy;
import dev.tether.StreamLimits;
import dev.tether.TetherNode;
import dev.tether.bench.measure.CpuMeter;
import dev.tether.bench.measure.GcPauses;
import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.PausedProbes;
import dev.tether.bench.measure.RunQueueWait;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import dev.tether.transport.tcp.TcpTransport;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Priority under a flood (issue 11, "p99 latency of high-priority messages under a saturating low-priority flood <= 5x
 * their p99 on an idle node"; docs/BUS-DESIGN.md section 3): two nodes in one JVM (in-memory transport, or TCP on
 * loopback with {@code --transport tcp}; in-memory stores, {@code MEMORY}, handler threads). Node a sends level-7
 * probes to b on lane {@code alerts} (by {@code lanePriority}), one every {@code --gap-us}, each carrying its send
 * time; b's handler records send-to-handler latency. Each round
 * runs the probes once on the idle pair (the peer) and once while a thread floods b with level-0 messages on 20 lanes,
 * kept saturated (each flood stream holds up to {@code --backlog} unacknowledged messages: the sender blocks on the
 * stream limit, so a backlog always waits). The two alternate, round by round, in one JVM. Reports p50/p99 of each,
 * the ratio of the p99s, the flood's rate, CPU per message (this JVM: both nodes), the garbage collector's pauses
 * during the probes ({@link PausedProbes}: their total, how many probes a pause held, and the p99 with the pause time
 * each probe overlapped taken out, which splits the p99 into collection and the rest), the threads that waited longest
 * for a CPU ({@link RunQueueWait}: a probe waits at each thread it passes for that thread to run) and the load average. The
 * collector is the JVM's ({@code BENCH_JVM_ARGS="-Xms1g -Xmx1g -XX:+UseParallelGC"}, say); its beans' names are
 * printed first.
 *
 * <p>Run: {@code scripts/bench priority [--probes N] [--gap-us G] [--repeat R] [--backlog B] [--window W] [--transport
 * memory|tcp] [--quick]} ({@code tcp}: the two nodes over TCP on loopback, still in one JVM).
 */
public final class PriorityBench {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int LANES = 20;
    private static final byte[] FLOOD = new byte[100];
    /** The receiver's window per stream ({@code --window}, default the node default 1,024). */
    private static int window;
    /** {@code --transport tcp}: the two nodes talk over TCP on loopback instead of the in-memory transport. */
    private static boolean tcp;

    private PriorityBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = BusBench.options(
                List.of("--probes", "--gap-us", "--repeat", "--backlog", "--window", "--transport"), args);
        boolean quick = o.containsKey("--quick");
        int probes = number(o, "--probes", quick ? 500 : 2000);
        long gapNanos = number(o, "--gap-us", 1000) * 1000L;
        int repeat = number(o, "--repeat", quick ? 2 : 5);
        int backlog = number(o, "--backlog", 5000);
        window = number(o, "--window", 1024);
        String transport = o.getOrDefault("--transport", "memory");
        if (!transport.equals("memory") && !transport.equals("tcp")) {
            throw new IllegalArgumentException("--transport memory|tcp, not " + transport);
        }
        tcp = transport.equals("tcp");
        System.out.printf(
                Locale.ROOT,
                "# priority bench: %,d level-7 probes of 16 B, one per %d µs, idle and under a level-0 flood of 100 B"
                        + " on %d lanes (up to %,d unacknowledged per lane), window %,d, alternating, %d rounds each (+1 warm-up),"
                        + " %d cores, %s, %s transport, in-memory store, MEMORY, collectors %s; load average %s%n",
                probes,
                gapNanos / 1000,
                LANES,
                backlog,
                window,
                repeat,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"),
                tcp ? "TCP (loopback)" : "in-memory",
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName)
                        .collect(Collectors.joining(", ")),
                Load.now());
        double[] idle = new double[repeat];
        double[] flooded = new double[repeat];
        double[] floodedWithoutPauses = new double[repeat];
        for (int r = 0; r <= repeat; r++) {
            Result i = round(probes, gapNanos, false, backlog);
            Result f = round(probes, gapNanos, true, backlog);
            String what = r == 0 ? "warm-up" : "round " + r;
            System.out.printf(Locale.ROOT, "  %s idle:  %s%n  %s flood: %s%n", what, i, what, f);
            if (r > 0) {
                idle[r - 1] = i.p99Micros;
                flooded[r - 1] = f.p99Micros;
                floodedWithoutPauses[r - 1] = f.gc.p99WithoutPausesNanos() / 1e3;
            }
        }
        double idleP99 = median(idle), floodP99 = median(flooded);
        System.out.printf(
                Locale.ROOT,
                "# medians of the rounds: p99 idle %.0f µs, p99 under the flood %.0f µs: %.2fx (target <= 5x); under"
                        + " the flood without the GC pauses each probe overlapped %.0f µs: %.2fx; load average %s%n",
                idleP99,
                floodP99,
                floodP99 / idleP99,
                median(floodedWithoutPauses),
                median(floodedWithoutPauses) / idleP99,
                Load.now());
    }

    private record Result(
            double p50Micros,
            double p99Micros,
            long floodMessages,
            double seconds,
            double cpuPerMessage,
            PausedProbes gc,
            String cpuWait) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "p50 %.0f µs, p99 %.0f µs; flood %,d msg in %.1f s (%,.0f msg/s); CPU %.2f µs per message"
                            + " handled; %s; waited for a CPU: %s; load %s",
                    p50Micros,
                    p99Micros,
                    floodMessages,
                    seconds,
                    floodMessages / seconds,
                    cpuPerMessage / 1e3,
                    gc,
                    cpuWait,
                    Load.oneMinute());
        }
    }

    private static Result round(int probes, long gapNanos, boolean flood, int backlog) throws Exception {
        InMemoryNetwork net = tcp ? null : new InMemoryNetwork();
        Transport tb = tcp ? tcpTransport(null) : net.newTransport();
        long[] latencies = new long[probes];
        long[] sent = new long[probes];
        AtomicLong handled = new AtomicLong();
        CountDownLatch probesDone = new CountDownLatch(probes);
        TetherNode b = Tether.start(config(tb, B, A, backlog)
                .handler(d -> {
                    handled.incrementAndGet();
                    ByteBuffer p = d.payload();
                    if (d.lane().equals("alerts") && p.getInt(0) >= 0) {
                        sent[p.getInt(0)] = p.getLong(4);
                        latencies[p.getInt(0)] = System.nanoTime() - p.getLong(4);
                        probesDone.countDown();
                    }
                })
                .build());
        Transport ta = tcp ? tcpTransport(((TcpTransport) tb).boundAddress()) : net.newTransport();
        TetherNode a =
                Tether.start(config(ta, A, B, backlog).lanePriority("alerts", 7).build());
        try {
            a.send(B, "alerts", probe(-1)).processed().get(30, TimeUnit.SECONDS); // connected and open
            AtomicBoolean stop = new AtomicBoolean();
            Thread flooder = new Thread(() -> flood(a, stop), "flood");
            if (flood) {
                flooder.start();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (handled.get() < 20_000 && System.nanoTime() < until) Thread.onSpinWait(); // saturated
            }
            GcPauses pauses = GcPauses.start();
            RunQueueWait waits0 = RunQueueWait.now();
            long cpu0 = CpuMeter.now(), t0 = System.nanoTime(), h0 = handled.get();
            sendProbes(a, probes, gapNanos);
            if (!probesDone.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("probes not all handled");
            long cpu = CpuMeter.now() - cpu0, nanos = System.nanoTime() - t0, n = handled.get() - h0;
            String cpuWait = waits(RunQueueWait.now().since(waits0), nanos);
            stop.set(true);
            if (flood) flooder.join();
            pauses.awaitNotified(5_000);
            pauses.stop();
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return new Result(
                    sorted[probes / 2] / 1e3,
                    PausedProbes.p99(latencies) / 1e3,
                    n - probes,
                    nanos / 1e9,
                    (double) cpu / Math.max(1, n),
                    PausedProbes.of(pauses.pauses(), t0, t0 + nanos, sent, latencies),
                    cpuWait);
        } finally {
            a.close();
            b.close();
        }
    }

    /** Sends the probes, one every {@code gapNanos}. */
    private static void sendProbes(TetherNode a, int probes, long gapNanos) {
        long next = System.nanoTime();
        for (int i = 0; i < probes; i++) {
            while (System.nanoTime() < next) LockSupport.parkNanos(next - System.nanoTime());
            a.send(B, "alerts", probe(i));
            next += gapNanos;
        }
    }

    /**
     * The four thread groups that waited longest for a CPU during a phase of {@code nanos}, each with its wait and its
     * time on a CPU as a share of the phase, e.g. {@code "tether-b 41% (ran 38%)"}: a probe waits at each thread it
     * passes for that thread to get a CPU.
     */
    private static String waits(Map<String, long[]> byGroup, long nanos) {
        return byGroup.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
                .limit(4)
                .map(e -> String.format(
                        Locale.ROOT,
                        "%s %.0f%% (ran %.0f%%)",
                        e.getKey(),
                        100.0 * e.getValue()[1] / nanos,
                        100.0 * e.getValue()[0] / nanos))
                .collect(Collectors.joining(", "));
    }

    /** Level-0 sends on 20 lanes until {@code stop}; each waits while its stream holds the limit (policy BLOCK). */
    private static void flood(TetherNode a, AtomicBoolean stop) {
        for (long i = 0; !stop.get(); i++) {
            a.send(OutboundMessage.to(B)
                    .lane("bulk" + (i % LANES))
                    .priority(0)
                    .payload(FLOOD)
                    .build());
        }
    }

    private static byte[] probe(int i) {
        return ByteBuffer.allocate(16).putInt(i).putLong(System.nanoTime()).array();
    }

    /** A TCP transport on an ephemeral loopback port, dialing b at {@code b} (null: b itself, which only listens). */
    private static TcpTransport tcpTransport(InetSocketAddress b) {
        TcpTransport.Builder t = TcpTransport.builder().listen(new InetSocketAddress("127.0.0.1", 0));
        if (b != null) t.peer(B, b);
        return t.build();
    }

    private static TetherConfig.Builder config(Transport transport, NodeId self, NodeId peer, int backlog) {
        return TetherConfig.builder(self)
                .peers(List.of(peer))
                .transport(transport)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .window(window)
                .streamLimits(
                        "*",
                        "bulk*",
                        StreamLimits.maxMessages(backlog).policy(OverflowPolicy.block(Duration.ofSeconds(60))));
    }

    private static int number(Map<String, String> options, String name, int otherwise) {
        String v = options.get(name);
        return v == null ? otherwise : Integer.parseInt(v);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
