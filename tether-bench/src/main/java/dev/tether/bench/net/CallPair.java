package dev.tether.bench.net;

import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Series;
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
    static ScenarioResult run(BenchOptions o, String id) throws Exception {
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

    private static ScenarioResult grpc(BenchOptions o, String id, Kind k) throws Exception {
        try (ChildJvm server = ChildJvm.start(id + "-server", GrpcPeer.class, o.childJvmArgs(), List.of("server"))) {
            String port = server.expect("READY", REPLY_SECONDS)[1];
            try (ChildJvm client =
                    ChildJvm.start(id + "-client", GrpcPeer.class, o.childJvmArgs(), List.of("client", port))) {
                return measure(o, id, k, client);
            }
        }
    }

    private static ScenarioResult measure(BenchOptions o, String id, Kind k, ChildJvm sender) throws Exception {
        sender.expect("READY", REPLY_SECONDS);
        sender.send("PING");
        sender.expect("PONG", REPLY_SECONDS);
        return id.contains("-rtt") ? roundTrip(o, id, k, sender) : throughput(o, id, k, sender);
    }

    private static ScenarioResult roundTrip(BenchOptions o, String id, Kind k, ChildJvm sender) throws Exception {
        Latency[] last = {Latency.NONE};
        long[] counted = new long[2];
        Series series = Rounds.durations(o, id, () -> {
            Meter m = Meter.start();
            sender.send("REQ " + o.pingPongs() + k.args());
            String[] w = sender.expect("REQ", REPLY_SECONDS);
            last[0] = Latency.parse(w[2], w[3], w[4]);
            counted[0] += o.pingPongs();
            counted[1] += Long.parseLong(w[1]);
            System.out.printf(Locale.ROOT, "    request round trip p99 %s%n", Latency.micros(last[0].p99()));
            return m.round(last[0].p50(), o.pingPongs());
        });
        return new ScenarioResult(
                id,
                k.title() + ", one at a time (blocking caller)",
                k.durability(),
                true,
                series,
                last[0],
                "round trip, last round",
                counted[0],
                counted[1]);
    }

    private static ScenarioResult throughput(BenchOptions o, String id, Kind k, ChildJvm sender) throws Exception {
        int n = o.requests();
        String args = " " + o.callOutstanding() + " " + o.lanes() + k.args();
        long[] counted = new long[2];
        Series series = Rounds.rates(o, id, () -> {
            Meter m = Meter.start();
            sender.send("REQP " + n + args);
            String[] w = sender.expect("REQP", REPLY_SECONDS);
            counted[0] += n;
            counted[1] += Long.parseLong(w[1]);
            return m.rate(n, Long.parseLong(w[2]));
        });
        return new ScenarioResult(
                id,
                k.title() + ", " + o.callOutstanding() + " outstanding over " + o.lanes() + " lanes (requests/s)",
                k.durability(),
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
