package dev.tether.bench;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bench.measure.LiveHeap;
import dev.tether.bench.measure.Load;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Heap per idle endpoint (docs/BUS-DESIGN.md, section 1.5): one node (in-memory store, {@code MEMORY}), the live
 * heap after full GCs before and after registering N endpoints that never get a message, with handlers on the
 * handler threads and on the node thread; the difference divided by N. Each count is measured {@code --repeat}
 * times on a fresh node; the median is printed. No CPU figure: idle endpoints have no thread or timer.
 *
 * <p>Run: {@code scripts/bench bus-footprint [--counts 10,10000] [--repeat R]}.
 */
public final class BusFootprintBench {
    private BusFootprintBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = BusBench.options(List.of("--counts", "--repeat"), args);
        int repeat = Integer.parseInt(a.getOrDefault("--repeat", "3"));
        List<Integer> counts = new ArrayList<>();
        for (String n : a.getOrDefault("--counts", "10,10000").split(",")) counts.add(Integer.parseInt(n.trim()));
        System.out.printf(
                Locale.ROOT,
                "# bus footprint bench: idle endpoints %s, %d rounds each, %s, max heap %,d MB; load average %s%n",
                counts,
                repeat,
                System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory() >> 20,
                Load.now());
        System.out.println("| idle endpoints | placement | bytes per endpoint (median, range) |");
        System.out.println("|---|---|---|");
        for (int n : counts) {
            for (boolean nodeThread : new boolean[] {false, true}) {
                List<Double> per = new ArrayList<>();
                for (int r = 0; r < repeat; r++) per.add(perEndpoint(n, nodeThread));
                per.sort(null);
                System.out.printf(
                        Locale.ROOT,
                        "| %,d | %s | %,.0f (%,.0f-%,.0f) |%n",
                        n,
                        nodeThread ? "node thread" : "handler threads",
                        per.get(per.size() / 2),
                        per.get(0),
                        per.get(per.size() - 1));
            }
        }
    }

    /** The live heap {@code n} idle endpoints add to a fresh node, per endpoint. */
    private static double perEndpoint(int n, boolean nodeThread) {
        TetherNode node = Tether.start(TetherConfig.builder(NodeId.of("footprint"))
                .transport(new InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build());
        try {
            Bus bus = Tether.bus(node);
            bus.maxEndpoints(Math.max(n, Bus.DEFAULT_MAX_ENDPOINTS));
            EndpointOptions options =
                    nodeThread ? EndpointOptions.defaults().onNodeThread() : EndpointOptions.defaults();
            List<Endpoint> keep = new ArrayList<>(n);
            long before = LiveHeap.bytes();
            for (int i = 0; i < n; i++)
                keep.add(bus.endpoint(String.format(Locale.ROOT, "agent-%06d", i), options, d -> {}));
            long after = LiveHeap.bytes();
            if (keep.size() != n) throw new IllegalStateException("registered " + keep.size());
            return (after - before - listBytes(n)) / (double) n;
        } finally {
            node.shutdown(Duration.ofSeconds(5));
        }
    }

    /** The bench's own list of the endpoints (an array of references), not the node's. */
    private static long listBytes(int n) {
        return 16L + 4L * Math.max(n, 10);
    }
}
