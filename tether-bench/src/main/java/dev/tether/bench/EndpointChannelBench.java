package dev.tether.bench;

import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.bus.Bus;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The local fan-out of channel messages to endpoints (docs/BUS-DESIGN.md, section 10, step 11; its open question
 * "Local channel fan-out cost"): node a publishes on a channel that node b reads, in one process, in-memory store and
 * {@code MEMORY} durability. Scenarios: b reads it itself with a channel handler (the peer: a plain node-level
 * reader, no copies), and k endpoints of b joined it (each message copied k times, one loopback stream per endpoint).
 * Reported per delivery (a message handed to one reader): deliveries per second from the first publish to the last
 * delivery, and CPU of this JVM (every thread) per delivery.
 *
 * <p>Run: {@code scripts/bench bus-channels [--messages N] [--repeat R] [--max-warmup W] [--endpoints 1,10]
 * [--quick]}.
 */
public final class EndpointChannelBench {
    private static final int PAYLOAD = 100;
    private static final NodeId A = NodeId.of("pub-a");
    private static final NodeId B = NodeId.of("read-b");
    private static final String CHANNEL = "bench";
    private static final long MAX_OUTSTANDING = 100_000;

    private EndpointChannelBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a =
                BusBench.options(List.of("--messages", "--repeat", "--max-warmup", "--endpoints"), args);
        boolean quick = a.containsKey("--quick");
        int messages = Integer.parseInt(a.getOrDefault("--messages", quick ? "20000" : "200000"));
        int repeat = Integer.parseInt(a.getOrDefault("--repeat", quick ? "2" : "3"));
        int maxWarmUp = Integer.parseInt(a.getOrDefault("--max-warmup", quick ? "2" : "3"));
        List<Integer> ks = new ArrayList<>();
        for (String n : a.getOrDefault("--endpoints", "1,10").split(",")) ks.add(Integer.parseInt(n.trim()));
        System.out.printf(
                Locale.ROOT,
                "# endpoint channel bench: %,d publishes x %d B per round, endpoints %s, %d cores, %s, in-memory"
                        + " store, MEMORY; load average %s%n",
                messages,
                PAYLOAD,
                ks,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"),
                Load.now());
        Map<String, Series> results = new LinkedHashMap<>();
        results.put(
                "peer: node-level reader",
                Steady.run("node-reader", maxWarmUp, repeat, Steady::rate, () -> round(messages, 0)));
        for (int k : ks) {
            results.put(
                    k + " endpoint readers",
                    Steady.run(k + "-endpoints", maxWarmUp, repeat, Steady::rate, () -> round(messages, k)));
        }
        System.out.println("| scenario (per delivery) | median deliveries/s (range) | CPU per delivery | load |");
        System.out.println("|---|---|---|---|");
        BusBench.printTable(results, false);
    }

    /** One round: a publishes {@code messages}; b reads them itself ({@code k} 0) or through {@code k} endpoints. */
    static Round round(int messages, int k) throws Exception {
        LongAdder delivered = new LongAdder();
        InMemoryNetwork net = new InMemoryNetwork();
        TetherNode a = Tether.start(config(net, A, B));
        TetherNode b = Tether.start(config(net, B, A));
        try {
            a.join(CHANNEL, ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
            if (k == 0) {
                b.handleChannel(CHANNEL, d -> delivered.increment());
                b.join(CHANNEL, ChannelRole.READ).get(30, TimeUnit.SECONDS);
            } else {
                Bus bus = Tether.bus(b);
                for (int i = 0; i < k; i++) {
                    bus.endpoint("reader-" + i, EndpointOptions.defaults(), d -> delivered.increment())
                            .join(CHANNEL, ChannelRole.READ)
                            .get(30, TimeUnit.SECONDS);
                }
            }
            int per = Math.max(1, k);
            byte[] payload = new byte[PAYLOAD];
            Meter meter = Meter.start();
            long start = System.nanoTime();
            for (int m = 0; m < messages; m++) {
                while (m - delivered.sum() / per > MAX_OUTSTANDING) LockSupport.parkNanos(50_000);
                a.publish(CHANNEL, payload);
            }
            long total = (long) messages * per;
            while (delivered.sum() < total) LockSupport.parkNanos(100_000);
            return meter.rate(total, System.nanoTime() - start);
        } finally {
            a.shutdown(Duration.ofSeconds(5));
            b.shutdown(Duration.ofSeconds(5));
        }
    }

    private static TetherConfig config(InMemoryNetwork net, NodeId self, NodeId peer) {
        return TetherConfig.builder(self)
                .peers(List.of(peer))
                .transport(net.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .window(8192)
                .build();
    }
}
