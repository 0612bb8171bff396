package dev.tether.bench.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Request/response between two processes on loopback: two Tether nodes in two child JVMs ({@link PeerProcess},
 * {@link CallLoad}) over TCP, the caller calling the receiver's {@code echo} handler (on the node thread), or the
 * gRPC peer ({@link GrpcPeer}: a unary echo over one HTTP/2 connection). Either one request at a time (the round trip
 * a blocking caller sees) or pipelined with {@code --call-outstanding} requests waiting for replies (throughput);
 * payloads of 100 bytes, or 4 KiB for the scenarios ending in {@code -4k}. A durable Tether request is two stored
 * messages (the call in the caller's outbox, the reply in the callee's) and two cursor moves; a volatile one
 * touches no store (the nodes still have SQLite stores at FSYNC, unused by it). Driver thread only; the children are
 * killed when it returns or fails.
 */
final class CallPair {
    private static final long REPLY_SECONDS = 300;

    private CallPair() {}

    /** What one scenario measures. */
    private record Kind(String title, String durability, int size, boolean volatileDelivery) {
        String args() {
            return " " + size + " " + (volatileDelivery ? 1 : 0);
        }
    }

    /**
     * Runs scenario {@code id}: {@code tcp-request[-rtt]-memory|sqlite|volatile[-4k]} or {@code
     * grpc-request[-rtt][-4k]}.
     */
    static ScenarioResult run(BenchOptions o, String id) throws IOException {
        int size = id.endsWith("-4k") ? 4096 : NetworkBench.PAYLOAD;
        String sizeText = size == 4096 ? "4 KiB" : size + " B";
        if (id.startsWith("grpc-")) {
            return grpc(
                    o,
                    id,
                    new Kind(
                            "gRPC unary (grpc-netty-shaded 1.85.1, byte-array marshaller), " + sizeText,
                            "none (in memory)",
                            size,
                            false));
        }
        String kind = id.replace("tcp-request-", "").replace("rtt-", "").replace("-4k", "");
        boolean volatileDelivery = kind.equals("volatile");
        String store = volatileDelivery ? "sqlite" : kind;
        Kind k = new Kind(
                "Tether " + (volatileDelivery ? "volatile" : "durable") + " request/reply over TCP, " + sizeText + ", "
                        + storeText(store) + ", handler on the node thread",
                volatileDelivery ? "none (volatile: nothing stored)" : durability(store),
                size,
                volatileDelivery);
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
                return measure(o, id, k, sender);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static ScenarioResult grpc(BenchOptions o, String id, Kind k) {
        try (ChildJvm server = ChildJvm.start(id + "-server", GrpcPeer.class, o.childJvmArgs(), List.of("server"))) {
            String port = server.expect("READY", REPLY_SECONDS)[1];
            try (ChildJvm client =
                    ChildJvm.start(id + "-client", GrpcPeer.class, o.childJvmArgs(), List.of("client", port))) {
                return measure(o, id, k, client);
            }
        }
    }

    private static ScenarioResult measure(BenchOptions o, String id, Kind k, ChildJvm sender) {
        sender.expect("READY", REPLY_SECONDS);
        sender.send("PING");
        sender.expect("PONG", REPLY_SECONDS);
        return id.contains("-rtt") ? roundTrip(o, id, k, sender) : throughput(o, id, k, sender);
    }

    private static ScenarioResult roundTrip(BenchOptions o, String id, Kind k, ChildJvm sender) {
        sender.send("REQ " + Math.max(o.pingPongs(), o.quick() ? 0 : 20_000) + k.args()); // warm-up
        sender.expect("REQ", REPLY_SECONDS);
        double[] rounds = new double[o.rounds()];
        double[] cpu = new double[o.rounds()];
        Latency last = Latency.NONE;
        long counted = 0;
        for (int r = 0; r < o.rounds(); r++) {
            long c = CpuMeter.now();
            sender.send("REQ " + o.pingPongs() + k.args());
            String[] w = sender.expect("REQ", REPLY_SECONDS);
            cpu[r] = (CpuMeter.now() - c) / (double) o.pingPongs();
            counted += Long.parseLong(w[1]);
            last = Latency.parse(w[2], w[3], w[4]);
            rounds[r] = last.p50();
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: request round trip p50 %s p99 %s, CPU %.1f us per request%n",
                    r + 1,
                    Latency.micros(last.p50()),
                    Latency.micros(last.p99()),
                    cpu[r] / 1e3);
        }
        return new ScenarioResult(
                id,
                k.title() + ", one at a time (blocking caller)",
                k.durability(),
                true,
                rounds,
                last,
                "round trip, last round",
                (long) o.rounds() * o.pingPongs(),
                counted,
                Samples.median(cpu));
    }

    private static ScenarioResult throughput(BenchOptions o, String id, Kind k, ChildJvm sender) {
        int n = o.requests();
        String args = " " + o.callOutstanding() + " " + o.lanes() + k.args();
        sender.send("REQP " + Math.max(n / 2, o.quick() ? 100 : 10_000) + args); // warm-up
        sender.expect("REQP", REPLY_SECONDS);
        double[] rounds = new double[o.rounds()];
        double[] cpu = new double[o.rounds()];
        long counted = 0;
        for (int r = 0; r < o.rounds(); r++) {
            long c = CpuMeter.now();
            sender.send("REQP " + n + args);
            String[] w = sender.expect("REQP", REPLY_SECONDS);
            cpu[r] = (CpuMeter.now() - c) / (double) n;
            counted += Long.parseLong(w[1]);
            rounds[r] = n * 1e9 / Long.parseLong(w[2]);
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: %,.0f requests/s, CPU %.1f us per request%n",
                    r + 1,
                    rounds[r],
                    cpu[r] / 1e3);
        }
        return new ScenarioResult(
                id,
                k.title() + ", " + o.callOutstanding() + " outstanding"
                        + (id.startsWith("grpc-") ? "" : " over " + o.lanes() + " lanes") + " (requests/s)",
                k.durability(),
                false,
                rounds,
                Latency.NONE,
                "",
                (long) o.rounds() * n,
                counted,
                Samples.median(cpu));
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
