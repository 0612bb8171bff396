package dev.tether.bench.net;

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
            throws IOException {
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
            throws IOException {
        Path dir = Files.createTempDirectory("tether-netbench-");
        try {
            return new TetherPair(o, transport, store, handler).measure(dir, natsUrl, throughput, roundTrip);
        } finally {
            deleteTree(dir);
        }
    }

    private List<ScenarioResult> measure(Path dir, String natsUrl, boolean throughput, boolean roundTrip) {
        String prefix = "bench" + System.nanoTime();
        String id = transport + "-" + store;
        try (ChildJvm receiver = ChildJvm.start(
                id + "-receiver",
                PeerProcess.class,
                o.childJvmArgs(),
                List.of("receiver", transport, natsUrl, store, dir.toString(), prefix, handler))) {
            String port = receiver.expect("READY", REPLY_SECONDS)[1];
            String address = transport.equals("tcp") ? port : natsUrl;
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

    private ScenarioResult throughput(ChildJvm sender, ChildJvm receiver) {
        burst(sender, receiver, o.warmupMessages()); // warm-up, discarded
        storeStats(sender);
        storeStats(receiver);
        double[] rounds = new double[o.rounds()];
        double[] cpu = new double[o.rounds()];
        long counted = 0;
        for (int r = 0; r < o.rounds(); r++) {
            long c = CpuMeter.now();
            long cs = CpuMeter.contextSwitches();
            long[] m = burst(sender, receiver, o.messages());
            cpu[r] = (CpuMeter.now() - c) / (double) m[0];
            double switches = (CpuMeter.contextSwitches() - cs) / (double) m[0];
            counted += m[0];
            rounds[r] = m[0] * 1e9 / m[1];
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: %,.0f msg/s, CPU %.1f us/msg, %.2f context switches/msg%n    sender store:   %s%n"
                            + "    receiver store: %s%n",
                    r + 1,
                    rounds[r],
                    cpu[r] / 1e3,
                    switches,
                    storeStats(sender),
                    storeStats(receiver));
        }
        int rate = o.latencyRate() > 0 ? o.latencyRate() : (int) Math.max(1_000, Samples.median(rounds) / 2);
        boolean paced = o.latencyMessages() > 0;
        return new ScenarioResult(
                transport + "-" + store,
                "Tether over " + (transport.equals("tcp") ? "TCP" : "NATS") + ", "
                        + (store.equals("memory") ? "in-memory store" : "SQLite store") + ", pipelined, two processes",
                durabilityText(),
                false,
                rounds,
                paced ? pacedLatencyRounds(sender, receiver, rate) : Latency.NONE,
                paced
                        ? String.format(Locale.ROOT, "send to handler at %,d msg/s offered, %d lanes", rate, o.lanes())
                        : "",
                (long) o.rounds() * o.messages(),
                counted,
                Samples.median(cpu));
    }

    /** {@code latencyRounds} paced runs; returns the one with the median p99. */
    private Latency pacedLatencyRounds(ChildJvm sender, ChildJvm receiver, int rate) {
        List<Latency> runs = new ArrayList<>();
        for (int r = 0; r < o.latencyRounds(); r++) runs.add(pacedLatency(sender, receiver, rate));
        runs.sort(Comparator.comparingLong(Latency::p99));
        return runs.get(runs.size() / 2);
    }

    /** Send-to-handler latency of {@code latencyMessages} sent at {@code rate} per second. */
    private Latency pacedLatency(ChildJvm sender, ChildJvm receiver, int rate) {
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
                "  half load: %,d msg/s offered, latency p50 %s p99 %s max %s%n    sender store:   %s%n"
                        + "    receiver store: %s%n",
                rate,
                Latency.micros(l.p50()),
                Latency.micros(l.p99()),
                Latency.micros(l.max()),
                storeStats(sender),
                storeStats(receiver));
        return l;
    }

    private String durabilityText() {
        return switch (store) {
            case "sqlite" -> "FSYNC (SQLite WAL, synchronous=FULL, both nodes)";
            case "sqlite-os" -> "OS_BUFFERED (SQLite WAL, synchronous=NORMAL: like this JetStream)";
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
        return new long[] {count, Long.parseLong(done[2]) - start};
    }

    private static String storeStats(ChildJvm node) {
        node.send("STORESTATS");
        String[] w = node.expect("STORESTATS", REPLY_SECONDS);
        return String.join(" ", Arrays.copyOfRange(w, 1, w.length));
    }

    private ScenarioResult roundTrip(ChildJvm sender) {
        String command = handler.equals("chained") ? "RTTC " : "RTT ";
        sender.send(command + Math.max(o.pingPongs(), o.quick() ? 0 : 20_000)); // warm-up
        sender.expect("RTT", REPLY_SECONDS);
        double[] rounds = new double[o.rounds()];
        Latency last = Latency.NONE;
        double[] cpu = new double[o.rounds()];
        long counted = 0;
        for (int r = 0; r < o.rounds(); r++) {
            long c = CpuMeter.now();
            long cs = CpuMeter.contextSwitches();
            sender.send(command + o.pingPongs());
            String[] w = sender.expect("RTT", REPLY_SECONDS);
            cpu[r] = (CpuMeter.now() - c) / (double) o.pingPongs();
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: RTT p50 %s, CPU %.1f us and %.1f context switches per round trip%n",
                    r + 1,
                    Latency.micros(Long.parseLong(w[2])),
                    cpu[r] / 1e3,
                    (CpuMeter.contextSwitches() - cs) / (double) o.pingPongs());
            counted += Long.parseLong(w[1]);
            last = Latency.parse(w[2], w[3], w[4]);
            rounds[r] = last.p50();
        }
        return new ScenarioResult(
                switch (handler) {
                    case "inline" -> "tcp-roundtrip-inline";
                    case "chained" -> "tcp-roundtrip-chained";
                    default -> "tcp-roundtrip";
                },
                switch (handler) {
                    case "inline" ->
                        "Tether send + blocking wait for processed(), over TCP, in-memory store, handler"
                                + " on the node thread";
                    case "chained" ->
                        "Tether send, next send from the processed() callback, over TCP, in-memory"
                                + " store, handler on the node thread";
                    default ->
                        "Tether send + blocking wait for processed(), over TCP, in-memory store, handler"
                                + " threads (default)";
                },
                "MEMORY (nothing on disk)",
                true,
                rounds,
                last,
                "round trip, last round",
                (long) o.rounds() * o.pingPongs(),
                counted,
                Samples.median(cpu));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
