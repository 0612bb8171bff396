package dev.tether.bench.net;

import dev.tether.bench.measure.CpuMeter;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Two Tether nodes in two child JVMs ({@link PeerProcess}), a sender and a receiver, each with its own store, over
 * TCP or NATS. Measures pipelined throughput (first send to last delivery at the receiver), then latency at about
 * half the median rate, and optionally the one-at-a-time {@code send(...).processed()} round trip. Driver thread
 * only; the children are killed when it returns or fails.
 */
final class TetherPair {
    private static final long REPLY_SECONDS = 240;

    private final BenchOptions o;
    private final String transport;
    private final String store;
    /**
     * Where the receiver runs its handler: "pool" (handler threads, the default) or "inline" (node thread); or
     * "chained": inline, and the sender's round trips are chained by callbacks instead of blocking waits.
     */
    private final String handler;

    private TetherPair(BenchOptions o, String transport, String store, String handler) {
        this.o = o;
        this.transport = transport;
        this.store = store;
        this.handler = handler;
    }

    /**
     * Runs the pair; {@code natsUrl} is used for transport {@code nats}. Returns the throughput row, and the
     * round-trip row too if {@code roundTrip}.
     */
    static List<ScenarioResult> run(
            BenchOptions o, String transport, String store, String natsUrl, boolean throughput, boolean roundTrip)
            throws Exception {
        return run(o, transport, store, "pool", natsUrl, throughput, roundTrip);
    }

    /** As above, with the receiver's handler on handler threads ({@code "pool"}) or the node thread ({@code "inline"}). */
    static List<ScenarioResult> run(
            BenchOptions o,
            String transport,
            String store,
            String handler,
            String natsUrl,
            boolean throughput,
            boolean roundTrip)
            throws Exception {
        Path dir = Files.createTempDirectory("tether-netbench-");
        try {
            return new TetherPair(o, transport, store, handler).measure(dir, natsUrl, throughput, roundTrip);
        } finally {
            deleteTree(dir);
        }
    }

    private List<ScenarioResult> measure(Path dir, String natsUrl, boolean throughput, boolean roundTrip)
            throws Exception {
        String prefix = "bench" + System.nanoTime();
        String id = transport + "-" + store;
        try (ChildJvm receiver = ChildJvm.start(
                id + "-receiver",
                PeerProcess.class,
                o.childJvmArgs(),
                List.of("receiver", transport, natsUrl, store, dir.toString(), prefix, handler))) {
            String port = receiver.expect("READY", REPLY_SECONDS)[1];
            String address = transport.equals("tcp") || transport.equals("composite")
                    ? port
                    : transport.equals("uds") ? "-" : natsUrl;
            try (ChildJvm sender = ChildJvm.start(
                    id + "-sender",
                    PeerProcess.class,
                    o.childJvmArgs(),
                    List.of("sender", transport, address, store, dir.toString(), prefix, handler))) {
                sender.expect("READY", REPLY_SECONDS);
                sender.send("PING");
                sender.expect("PONG", REPLY_SECONDS);
                List<ScenarioResult> results = new ArrayList<>();
                if (throughput) results.add(throughput(sender, receiver));
                if (roundTrip) results.add(roundTrip(sender));
                return results;
            }
        }
    }

    private ScenarioResult throughput(ChildJvm sender, ChildJvm receiver) throws Exception {
        storeStats(sender);
        storeStats(receiver);
        long[] counts = new long[2]; // sent, arrived: over all rounds, warm-up included
        Series series = Rounds.rates(o, transport + "-" + store, () -> {
            Meter m = Meter.start();
            long cs = CpuMeter.contextSwitches();
            long[] b = burst(sender, receiver, o.messages());
            Round r = m.rate(b[0], b[1]);
            counts[0] += o.messages();
            counts[1] += b[0];
            System.out.printf(
                    Locale.ROOT,
                    "    %.2f context switches/msg; sender store: %s%n    receiver store: %s%n",
                    (CpuMeter.contextSwitches() - cs) / (double) b[0],
                    storeStats(sender),
                    storeStats(receiver));
            return r;
        });
        int rate = o.latencyRate() > 0 ? o.latencyRate() : (int) Math.max(1_000, series.median() / 2);
        boolean paced = o.latencyMessages() > 0;
        return new ScenarioResult(
                transport + "-" + store,
                "Tether over " + transportName() + ", " + storeText() + ", pipelined, two processes",
                durabilityText(),
                false,
                series,
                paced ? pacedLatencyRounds(sender, receiver, rate) : Latency.NONE,
                paced
                        ? String.format(Locale.ROOT, "send to handler at %,d msg/s offered, %d lanes", rate, o.lanes())
                        : "",
                counts[0],
                counts[1]);
    }

    /**
     * One paced run discarded, then {@code latencyRounds} paced runs; returns the one with the median p99. The
     * throughput rounds before leave the paced path's code (small batches, one send at a time) still to compile: in
     * the first paced run both JVMs' compiler threads took about 40% of a core and the commits waited for a CPU
     * (docs/BENCHMARKS.md, "The FSYNC tail at half load").
     */
    private Latency pacedLatencyRounds(ChildJvm sender, ChildJvm receiver, int rate) {
        pacedLatency(sender, receiver, rate, "half load, warm-up (discarded)");
        List<Latency> runs = new ArrayList<>();
        for (int r = 0; r < o.latencyRounds(); r++) runs.add(pacedLatency(sender, receiver, rate, "half load"));
        runs.sort(Comparator.comparingLong(Latency::p99));
        return runs.get(runs.size() / 2);
    }

    /** Send-to-handler latency of {@code latencyMessages} sent at {@code rate} per second. */
    private Latency pacedLatency(ChildJvm sender, ChildJvm receiver, int rate, String label) {
        storeStats(sender);
        storeStats(receiver);
        receiver.send("EXPECT " + o.latencyMessages() + " 1");
        receiver.expect("ARMED", REPLY_SECONDS);
        sender.send("RATE " + o.latencyMessages() + " " + rate + " " + o.lanes() + " " + o.maxOutstanding());
        sender.expect("SENT", REPLY_SECONDS);
        receiver.send("AWAIT");
        String[] done = receiver.expect("DONE", REPLY_SECONDS);
        long count = Long.parseLong(done[1]);
        if (count < o.latencyMessages()) {
            throw new IllegalStateException("only " + count + " of " + o.latencyMessages() + " paced messages arrived");
        }
        Latency l = Latency.parse(done[3], done[4], done[5]);
        System.out.printf(
                Locale.ROOT,
                "  %s: %,d msg/s offered, latency p50 %s p99 %s max %s%n    sender store:   %s%n"
                        + "    receiver store: %s%n",
                label,
                rate,
                Latency.micros(l.p50()),
                Latency.micros(l.p99()),
                Latency.micros(l.max()),
                storeStats(sender),
                storeStats(receiver));
        return l;
    }

    private String storeText() {
        return switch (store) {
            case "memory" -> "in-memory store";
            case "sqlite-effects" -> "SQLite store, transactional handler (1 application row per message)";
            default -> "SQLite store";
        };
    }

    private String durabilityText() {
        return switch (store) {
            case "sqlite" -> "FSYNC (SQLite WAL, synchronous=FULL, both nodes)";
            case "sqlite-os" -> "OS_BUFFERED (SQLite WAL, synchronous=NORMAL: like this JetStream)";
            case "sqlite-effects" ->
                "FSYNC (SQLite WAL, synchronous=FULL, both nodes); the receiver's handler writes"
                        + " one application row per message in the transaction of its cursor";
            default -> "MEMORY (nothing on disk)";
        };
    }

    /** One pipelined burst of {@code n}; returns {delivered, nanoseconds from first send to last delivery}. */
    private long[] burst(ChildJvm sender, ChildJvm receiver, int n) {
        receiver.send("EXPECT " + n + " 0");
        receiver.expect("ARMED", REPLY_SECONDS);
        sender.send("BURST " + n + " " + o.lanes() + " " + o.maxOutstanding());
        long start = Long.parseLong(sender.expect("SENT", REPLY_SECONDS)[1]);
        receiver.send("AWAIT");
        String[] done = receiver.expect("DONE", REPLY_SECONDS);
        long count = Long.parseLong(done[1]);
        if (count < n) throw new IllegalStateException("only " + count + " of " + n + " messages arrived");
        long nanos = Long.parseLong(done[2]) - start;
        if (nanos <= 0)
            throw new IllegalStateException("last delivery " + done[2] + " is not after the start " + start);
        return new long[] {count, nanos};
    }

    private static String storeStats(ChildJvm node) {
        node.send("STORESTATS");
        String[] w = node.expect("STORESTATS", REPLY_SECONDS);
        return String.join(" ", Arrays.copyOfRange(w, 1, w.length));
    }

    private ScenarioResult roundTrip(ChildJvm sender) throws Exception {
        String command = handler.equals("chained") ? "RTTC " : "RTT ";
        String title = switch (handler) {
            case "inline" ->
                "Tether send + blocking wait for processed(), over TCP, in-memory store, handler"
                        + " on the node thread";
            case "chained" ->
                "Tether send, next send from the processed() callback, over TCP, in-memory"
                        + " store, handler on the node thread";
            default ->
                "Tether send + blocking wait for processed(), over " + transportName()
                        + ", in-memory store, handler threads (default)";
        };
        return BlockingRoundTrips.measure(o, roundTripId(), title, "MEMORY (nothing on disk)", n -> {
            sender.send(command + n);
            String[] w = sender.expect("RTT", REPLY_SECONDS);
            return new BlockingRoundTrips.Made(Latency.parse(w[2], w[3], w[4]), Long.parseLong(w[1]));
        });
    }

    private String transportName() {
        return switch (transport) {
            case "tcp" -> "TCP";
            case "uds" -> "Unix domain sockets";
            case "composite" -> "TCP preferred, Unix domain sockets the fallback (composite)";
            default -> "NATS";
        };
    }

    private String roundTripId() {
        if (transport.equals("uds")) return "uds-roundtrip";
        if (transport.equals("composite")) return "composite-roundtrip";
        return switch (handler) {
            case "inline" -> "tcp-roundtrip-inline";
            case "chained" -> "tcp-roundtrip-chained";
            default -> "tcp-roundtrip";
        };
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
