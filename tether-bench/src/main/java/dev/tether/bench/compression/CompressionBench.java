package dev.tether.bench.compression;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Compression on the wire (issue 11: "on compressible 4 KiB payloads, bytes on the wire reduced >= 3x with throughput
 * loss <= 20%"): two Tether nodes in this JVM over TCP on loopback, their connection through a relay that counts its
 * bytes. Node A sends 4 KiB JSON-like order records (field names repeated, numbers random) to B as fast as credit
 * allows, at most {@code --in-flight} unprocessed; a round is {@code --messages} sends from the first to the last
 * processed. The same pair of configurations is measured twice in this run: A without compression (the peer) and A
 * compressing with {@code --codec} above 1 KiB; B is the same in both. In-memory stores, so the figure is the wire and
 * the node threads, not a disk. CPU per message is this JVM's (both nodes, the driver, the relay).
 *
 * <p>Usage: {@code scripts/bench compression [--messages N] [--in-flight N] [--codec lz4|zstd|snappy] [--repeat N]
 * [--max-warmup N] [--quick]}.
 */
public final class CompressionBench {
    static final int SIZE = 4096;
    private static final NodeId A = NodeId.of("bench-a");
    private static final NodeId B = NodeId.of("bench-b");

    private CompressionBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        boolean quick = o.containsKey("--quick");
        int messages = Integer.parseInt(o.getOrDefault("--messages", quick ? "5000" : "40000"));
        int inFlight = Integer.parseInt(o.getOrDefault("--in-flight", "4000"));
        String codec = o.getOrDefault("--codec", "lz4");
        int repeat = Integer.parseInt(o.getOrDefault("--repeat", quick ? "2" : String.valueOf(Steady.REPEAT)));
        int maxWarmUp =
                Integer.parseInt(o.getOrDefault("--max-warmup", quick ? "1" : String.valueOf(Steady.MAX_WARM_UP)));
        byte[][] payloads = new byte[256][];
        for (int i = 0; i < payloads.length; i++) payloads[i] = order(i);
        System.out.printf(
                Locale.ROOT,
                "# compression bench: %d x %d-byte JSON-like payloads A -> B over TCP loopback, at most %d in flight,"
                        + " in-memory stores, codec %s above 1 KiB; %d cores, %s; load average %s%n",
                messages,
                SIZE,
                inFlight,
                codec,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"),
                Load.now());
        long[] plainBytes = new long[1];
        Series plain = variant("plain", null, messages, inFlight, payloads, repeat, maxWarmUp, plainBytes);
        long[] zBytes = new long[1];
        Series z = variant(codec, codec, messages, inFlight, payloads, repeat, maxWarmUp, zBytes);
        double plainPerMsg = plainBytes[0] / (double) messages;
        double zPerMsg = zBytes[0] / (double) messages;
        System.out.printf(
                Locale.ROOT,
                "plain: %s msg/s median, %.0f bytes on the wire per message (last round), CPU %.2f us/msg;"
                        + " %s: %s msg/s median, %.0f bytes per message, CPU %.2f us/msg; bytes %.2fx fewer (target >= 3),"
                        + " throughput %+.1f%% (target >= -20%%); durability MEMORY (in-memory stores);"
                        + " load average at the end %s%n",
                Steady.rate(plain.median()),
                plainPerMsg,
                plain.cpuMedian() / 1e3,
                codec,
                Steady.rate(z.median()),
                zPerMsg,
                z.cpuMedian() / 1e3,
                plainPerMsg / zPerMsg,
                (z.median() / plain.median() - 1) * 100,
                Load.now());
    }

    /** Rounds of one configuration on a fresh pair of nodes; {@code lastBytes[0]}: the wire bytes of the last round. */
    private static Series variant(
            String label,
            String codec,
            int messages,
            int inFlight,
            byte[][] payloads,
            int repeat,
            int maxWarmUp,
            long[] lastBytes)
            throws Exception {
        TcpTransport tb = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        TetherNode b = Tether.start(config(B, A, tb, null).handler(d -> {}).build());
        try (CountingRelay relay = new CountingRelay(tb.boundAddress())) {
            TcpTransport ta = TcpTransport.builder()
                    .listen(new InetSocketAddress("127.0.0.1", 0))
                    .peer(B, relay.address())
                    .build();
            TetherNode a = Tether.start(config(A, B, ta, codec).build());
            try {
                return Steady.run(label, maxWarmUp, repeat, Steady::rate, () -> {
                    long before = relay.bytes();
                    Meter m = Meter.start();
                    long start = System.nanoTime();
                    round(a, messages, inFlight, payloads);
                    long nanos = System.nanoTime() - start;
                    lastBytes[0] = relay.bytes() - before;
                    return m.rate(messages, nanos);
                });
            } finally {
                a.shutdown(Duration.ofSeconds(5));
            }
        } finally {
            b.shutdown(Duration.ofSeconds(5));
        }
    }

    private static TetherConfig.Builder config(NodeId self, NodeId peer, TcpTransport t, String codec) {
        TetherConfig.Builder c = TetherConfig.builder(self)
                .peers(peer)
                .transport(t)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY);
        return codec == null ? c : c.compression(codec, 1024);
    }

    /** {@code n} sends, at most {@code inFlight} not yet processed; returns when every one is processed. */
    private static void round(TetherNode a, int n, int inFlight, byte[][] payloads) throws Exception {
        Semaphore room = new Semaphore(inFlight);
        for (int i = 0; i < n; i++) {
            if (!room.tryAcquire(60, TimeUnit.SECONDS)) throw new IllegalStateException("no progress for 60 s");
            SendReceipt r = a.send(
                    OutboundMessage.to(B).payload(payloads[i % payloads.length]).build());
            r.processed().whenComplete((v, e) -> room.release());
        }
        if (!room.tryAcquire(inFlight, 120, TimeUnit.SECONDS)) throw new IllegalStateException("round not processed");
    }

    /** A JSON array of order records, {@link #SIZE} bytes: names repeat, numbers vary (seeded by {@code i}). */
    static byte[] order(int i) {
        Random rnd = new Random(i);
        StringBuilder b = new StringBuilder("[");
        while (b.length() < SIZE) {
            b.append("{\"orderId\":")
                    .append(100_000 + rnd.nextInt(900_000))
                    .append(",\"customer\":\"customer-")
                    .append(rnd.nextInt(1000))
                    .append("\",\"status\":\"NEW\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"SKU-")
                    .append(1000 + rnd.nextInt(500))
                    .append("\",\"quantity\":")
                    .append(1 + rnd.nextInt(9))
                    .append(",\"price\":")
                    .append(rnd.nextInt(10_000) / 100.0)
                    .append("}]},");
        }
        return Arrays.copyOf(b.toString().getBytes(StandardCharsets.UTF_8), SIZE);
    }

    static Map<String, String> options(String... args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                m.put("--quick", "");
            } else if (List.of("--messages", "--in-flight", "--codec", "--repeat", "--max-warmup")
                    .contains(args[i])) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
                m.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; see CompressionBench javadoc");
            }
        }
        return m;
    }
}
