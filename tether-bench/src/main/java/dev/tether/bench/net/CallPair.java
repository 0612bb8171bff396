package dev.tether.bench.net;

import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Request/response between two Tether nodes in two child JVMs ({@link PeerProcess}, {@link CallLoad}) over TCP:
 * the caller calls the receiver's {@code echo} handler (on the node thread) with 100-byte payloads, either one
 * request at a time (the round trip a blocking caller sees) or pipelined with {@code --call-outstanding} requests
 * waiting for replies (throughput). A request is two stored messages (the call in the caller's outbox, the reply in
 * the callee's) and two cursor moves. Driver thread only; the children are killed when it returns or fails.
 */
final class CallPair {
    private static final long REPLY_SECONDS = 300;

    private CallPair() {}

    /** Runs scenario {@code id}: {@code tcp-request-rtt-<store>} or {@code tcp-request-<store>}. */
    static ScenarioResult run(BenchOptions o, String id, String store) throws Exception {
        Path dir = Files.createTempDirectory("tether-callbench-");
        try (ChildJvm receiver = ChildJvm.start(
                id + "-receiver",
                PeerProcess.class,
                o.childJvmArgs(),
                List.of("receiver", "tcp", "-", store, dir.toString(), "-", "inline"))) {
            String port = receiver.expect("READY", REPLY_SECONDS)[1];
            try (ChildJvm sender = ChildJvm.start(
                    id + "-sender",
                    PeerProcess.class,
                    o.childJvmArgs(),
                    List.of("sender", "tcp", port, store, dir.toString(), "-", "inline"))) {
                sender.expect("READY", REPLY_SECONDS);
                sender.send("PING");
                sender.expect("PONG", REPLY_SECONDS);
                return id.contains("-rtt-") ? roundTrip(o, id, store, sender) : throughput(o, id, store, sender);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static ScenarioResult roundTrip(BenchOptions o, String id, String store, ChildJvm sender) throws Exception {
        Latency[] last = {Latency.NONE};
        long[] counted = new long[2];
        Series series = Steady.run(id, o.maxWarmUp(), o.rounds(), Steady::nanos, () -> {
            Meter m = Meter.start();
            sender.send("REQ " + o.pingPongs());
            String[] w = sender.expect("REQ", REPLY_SECONDS);
            last[0] = Latency.parse(w[2], w[3], w[4]);
            counted[0] += o.pingPongs();
            counted[1] += Long.parseLong(w[1]);
            System.out.printf(Locale.ROOT, "    request round trip p99 %s%n", Latency.micros(last[0].p99()));
            return m.round(last[0].p50(), o.pingPongs());
        });
        return new ScenarioResult(
                id,
                "Tether request/reply, one at a time (blocking caller), over TCP, " + storeText(store)
                        + ", handler on the node thread",
                durability(store),
                true,
                series,
                last[0],
                "round trip, last round",
                counted[0],
                counted[1]);
    }

    private static ScenarioResult throughput(BenchOptions o, String id, String store, ChildJvm sender)
            throws Exception {
        int n = o.requests();
        String args = " " + o.callOutstanding() + " " + o.lanes();
        long[] counted = new long[2];
        Series series = Steady.run(id, o.maxWarmUp(), o.rounds(), Steady::rate, () -> {
            Meter m = Meter.start();
            sender.send("REQP " + n + args);
            String[] w = sender.expect("REQP", REPLY_SECONDS);
            counted[0] += n;
            counted[1] += Long.parseLong(w[1]);
            return m.rate(n, Long.parseLong(w[2]));
        });
        return new ScenarioResult(
                id,
                "Tether request/reply, " + o.callOutstanding() + " outstanding over " + o.lanes() + " lanes, over TCP, "
                        + storeText(store) + ", handler on the node thread (requests/s)",
                durability(store),
                false,
                series,
                Latency.NONE,
                "",
                counted[0],
                counted[1]);
    }

    private static String storeText(String store) {
        return store.equals("memory") ? "in-memory stores" : "SQLite stores";
    }

    private static String durability(String store) {
        return store.equals("memory") ? "MEMORY (nothing on disk)" : "FSYNC (SQLite WAL, synchronous=FULL, both nodes)";
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
