package dev.tether.bench;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OverflowPolicy;
import dev.tether.StreamLimits;
import dev.tether.TetherNode;
import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.measure.ThreadCosts;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointHandler;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Many endpoints (agents) in one process (issue 11 item 1, docs/BUS-DESIGN.md section 1.5): N agents of one node,
 * in-memory store and {@code MEMORY} durability, each message from agent {@code i} to agent {@code (i + 1 + k) mod
 * N} for the k-th message of {@code i} (all-to-all over a run), so every agent sends and receives; local messages
 * ride loopback streams. Aggregate messages per second from the first send to the last delivery, and CPU per message
 * of this JVM (every thread). Scenarios: 10, 100 and 1,000 agents with handlers on the handler threads (the default)
 * and on the node thread; 100 agents of node a sending to 100 agents of node b (remote endpoints, the in-memory
 * transport); and the peer measured in the same run, two nodes in one process with plain sends
 * ({@link InProcessBench}'s pair, 4 lanes). The target is 2,000,000 msg/s at 100 agents.
 *
 * <p>Run: {@code scripts/bench bus [--messages N] [--repeat R] [--max-warmup W] [--agents 10,100,1000] [--scenarios
 * handler,node,remote,peer] [--outstanding 200000] [--endpoint-limit N] [--quick]} ({@code --scenarios}: which to
 * run, all by default; the peer is the reference of any report; {@code --outstanding}: messages sent and not yet
 * delivered at most, the peer's unchanged; {@code --endpoint-limit}: each endpoint stream's limit of unacknowledged
 * messages, beyond which a send waits: BLOCK, docs/MESSAGING.md "Backpressure").
 */
public final class BusBench {
    private static final int PAYLOAD = 100;
    private static final NodeId A = NodeId.of("bus-a");
    private static final NodeId B = NodeId.of("bus-b");
    /**
     * Messages sent and not yet delivered at most ({@code --outstanding}, 200,000 by default): the backlog the node
     * holds live, whose size the collector's work grows with.
     */
    private static long maxOutstanding = 200_000;
    /**
     * Unacknowledged messages each endpoint stream may hold before a send waits ({@code --endpoint-limit}, BLOCK; 0,
     * the default: the node's defaults, no wait): the node's own bound on the sends waiting before its thread.
     */
    private static long endpointLimit;

    private BusBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = options(
                List.of(
                        "--messages",
                        "--repeat",
                        "--max-warmup",
                        "--agents",
                        "--scenarios",
                        "--outstanding",
                        "--endpoint-limit"),
                args);
        boolean quick = a.containsKey("--quick");
        int messages = Integer.parseInt(a.getOrDefault("--messages", quick ? "50000" : "500000"));
        int repeat = Integer.parseInt(a.getOrDefault("--repeat", quick ? "2" : "3"));
        int maxWarmUp = Integer.parseInt(a.getOrDefault("--max-warmup", quick ? "2" : "3"));
        maxOutstanding = Long.parseLong(a.getOrDefault("--outstanding", "200000"));
        endpointLimit = Long.parseLong(a.getOrDefault("--endpoint-limit", "0"));
        List<Integer> agents = new ArrayList<>();
        for (String n : a.getOrDefault("--agents", "10,100,1000").split(",")) agents.add(Integer.parseInt(n.trim()));
        List<String> scenarios = List.of(
                a.getOrDefault("--scenarios", "handler,node,remote,peer").split(","));
        printHeader(messages, agents, maxWarmUp, repeat);
        Map<String, Series> results = new LinkedHashMap<>();
        for (int n : agents) {
            if (scenarios.contains("handler"))
                results.put(
                        n + " agents, handler threads",
                        Steady.run(
                                n + "-agents",
                                maxWarmUp,
                                repeat,
                                Steady::rate,
                                () -> local(n, messages, EndpointOptions.defaults())));
            if (scenarios.contains("node"))
                results.put(
                        n + " agents, node thread",
                        Steady.run(
                                n + "-agents-node-thread",
                                maxWarmUp,
                                repeat,
                                Steady::rate,
                                () -> local(
                                        n, messages, EndpointOptions.defaults().onNodeThread())));
        }
        if (scenarios.contains("remote"))
            results.put(
                    "100 agents on a to 100 on b",
                    Steady.run("remote-100", maxWarmUp, repeat, Steady::rate, () -> remote(100, messages)));
        if (scenarios.contains("peer"))
            results.put(
                    "peer: two nodes, plain sends",
                    Steady.run(
                            "two-nodes",
                            maxWarmUp,
                            repeat,
                            Steady::rate,
                            () -> InProcessBench.throughput(messages, 4, false)));
        printTable(results);
    }

    private static void printHeader(int messages, List<Integer> agents, int maxWarmUp, int repeat) {
        System.out.printf(
                Locale.ROOT,
                "# bus bench: %,d messages x %d B per round, agents %s, at most %,d outstanding%s, warm-up until two"
                        + " rounds differ by < %.0f%%"
                        + " (at most %d), then %d measured rounds, %d cores, %s, in-memory store, MEMORY; load"
                        + " average %s%n",
                messages,
                PAYLOAD,
                agents,
                maxOutstanding,
                endpointLimit > 0 ? ", endpoint streams BLOCK beyond " + endpointLimit : "",
                Steady.TOLERANCE * 100,
                maxWarmUp,
                repeat,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"),
                Load.now());
    }

    static void printTable(Map<String, Series> results) {
        printTable(results, true);
    }

    /** The results as a table, with its header line if {@code header}. */
    static void printTable(Map<String, Series> results, boolean header) {
        if (header) {
            System.out.println("| scenario | median msg/s (range) | CPU per msg | load |");
            System.out.println("|---|---|---|---|");
        }
        for (Map.Entry<String, Series> e : results.entrySet()) {
            Series s = e.getValue();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %,.0f (%,.0f-%,.0f) | %.2f µs | %s |%n",
                    e.getKey(),
                    s.median(),
                    s.min(),
                    s.max(),
                    s.cpuMedian() / 1e3,
                    s.loadText());
        }
    }

    /** One round: {@code n} agents of one node sending {@code messages} to each other. */
    static Round local(int n, int messages, EndpointOptions options) throws Exception {
        return local(n, messages, options, bus -> {}, Map.of());
    }

    /**
     * As {@link #local(int, int, EndpointOptions)}, with {@code setup} run on the node's bus before the first send
     * (routing rules) and {@code headers} on every message.
     */
    static Round local(int n, int messages, EndpointOptions options, Consumer<Bus> setup, Map<String, String> headers)
            throws Exception {
        return local(n, messages, options, (bus, counter) -> setup.accept(bus), headers, 1);
    }

    /**
     * As {@link #local(int, int, EndpointOptions, Consumer, Map)}, {@code setup} also given the handler that counts
     * deliveries (for endpoints it adds, such as copies' sinks), and measured until {@code perMessage} deliveries per
     * message sent were counted (the rate is of messages sent).
     */
    static Round local(
            int n,
            int messages,
            EndpointOptions options,
            BiConsumer<Bus, EndpointHandler> setup,
            Map<String, String> headers,
            int perMessage)
            throws Exception {
        LongAdder delivered = new LongAdder();
        TetherNode node = Tether.start(config(new InMemoryNetwork(), A, null));
        try {
            EndpointHandler counter = d -> {
                RUNS.seen(d); // before the count the sender waits for: seen by it once it sees the count
                delivered.increment();
            };
            setup.accept(Tether.bus(node), counter);
            List<Endpoint> endpoints = endpoints(Tether.bus(node), n, options, counter);
            return run(endpoints, endpoints, messages, delivered, headers, perMessage, "tether-" + A);
        } finally {
            node.shutdown(Duration.ofSeconds(5));
        }
    }

    /** One round: {@code n} agents of node a sending {@code messages} to {@code n} agents of node b. */
    static Round remote(int n, int messages) throws Exception {
        LongAdder delivered = new LongAdder();
        InMemoryNetwork net = new InMemoryNetwork();
        TetherNode a = Tether.start(config(net, A, B));
        TetherNode b = Tether.start(config(net, B, A));
        try {
            List<Endpoint> from = endpoints(Tether.bus(a), n, EndpointOptions.defaults(), d -> {});
            List<Endpoint> to = endpoints(Tether.bus(b), n, EndpointOptions.defaults(), d -> delivered.increment());
            return run(from, to, messages, delivered, Map.of(), 1, null);
        } finally {
            a.shutdown(Duration.ofSeconds(5));
            b.shutdown(Duration.ofSeconds(5));
        }
    }

    private static List<Endpoint> endpoints(Bus bus, int n, EndpointOptions options, EndpointHandler handler) {
        List<Endpoint> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(bus.endpoint("agent-" + i, options, handler));
        return l;
    }

    /**
     * Sends {@code messages} from {@code from} to {@code to}, pipelined; measured until the last of {@code perMessage}
     * deliveries per message. With {@code nodeThread} (the node's thread name) each round also prints the bytes
     * allocated per message and the CPU per message of the node thread, the sending thread, the handler threads and
     * the collector ({@link ThreadCosts}).
     */
    private static Round run(
            List<Endpoint> from,
            List<Endpoint> to,
            int messages,
            LongAdder delivered,
            Map<String, String> headers,
            int perMessage,
            String nodeThread) {
        int n = from.size();
        Address[] targets = new Address[to.size()];
        for (int i = 0; i < targets.length; i++) targets[i] = to.get(i).address();
        byte[] payload = new byte[PAYLOAD];
        ThreadCosts costs = nodeThread == null ? null : ThreadCosts.now(nodeThread);
        long[] counted = counted();
        Meter meter = Meter.start();
        long start = System.nanoTime();
        // Deliveries counted at the last look: they only grow, so while this count keeps the bound the real one does
        // too, and the counter (written by every handler thread) is read only near the bound, not once per send.
        long seen = 0;
        for (int k = 0; k < messages; k++) {
            while (k - seen / perMessage > maxOutstanding) {
                seen = delivered.sum();
                if (k - seen / perMessage > maxOutstanding) LockSupport.parkNanos(50_000);
            }
            int i = k % n;
            int round = k / n;
            Address target = targets[(i + 1 + round) % targets.length];
            if (headers.isEmpty()) from.get(i).send(target, payload);
            else from.get(i).send(target, null, headers, payload);
        }
        while (delivered.sum() < (long) messages * perMessage) LockSupport.parkNanos(100_000);
        Round r = meter.rate(messages, System.nanoTime() - start);
        if (costs != null) {
            System.out.println(
                    "#   " + n + " agents: " + ThreadCosts.now(nodeThread).perMessageSince(costs, messages));
            long[] now = counted();
            System.out.printf(
                    Locale.ROOT,
                    "#   %d agents, counted per 1,000 msg: commits %.2f, store entries besides appends (trims, cursors)"
                            + " %.1f, run starts seen by the handlers %.1f%n",
                    n,
                    (now[0] - counted[0]) * 1000.0 / messages,
                    (now[1] - counted[1]) * 1000.0 / messages,
                    (now[2] - counted[2]) * 1000.0 / messages);
        }
        return r;
    }

    /** Commits and their entries other than appends, of every node of the bus benches (counted figures). */
    private static final LongAdder COMMITS = new LongAdder();

    private static final LongAdder OTHER_ENTRIES = new LongAdder();
    /** Deliveries that start a run on their handler's thread ({@link RunStarts}). */
    private static final RunStarts RUNS = new RunStarts();

    /** Commits, store entries besides appends, and run starts so far. */
    private static long[] counted() {
        return new long[] {COMMITS.sum(), OTHER_ENTRIES.sum(), RUNS.sum()};
    }

    /**
     * Counts the deliveries that start a run as the handler sees it: on its thread, another stream (lane) than the
     * delivery before, or not the next sequence number. A run that follows the same stream's previous one on the same
     * thread is not seen (a lower bound of the runs handed out).
     */
    static final class RunStarts {
        private static final class Last {
            String lane;
            long seq;
            long starts;
        }

        private final java.util.concurrent.ConcurrentLinkedQueue<Last> all =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final ThreadLocal<Last> last = ThreadLocal.withInitial(() -> {
            Last l = new Last();
            all.add(l);
            return l;
        });

        void seen(dev.tether.Delivery d) {
            Last l = last.get();
            String lane = d.lane();
            if (lane != l.lane && !lane.equals(l.lane) || d.seq() != l.seq + 1) l.starts++;
            l.lane = lane;
            l.seq = d.seq();
        }

        /** The starts counted so far; read after the deliveries counted (each counted after its start). */
        long sum() {
            long s = 0;
            for (Last l : all) s += l.starts;
            return s;
        }
    }

    /** A node of the bus benches: in-memory transport and store, {@code MEMORY} durability, a window of 8,192. */
    static TetherConfig config(InMemoryNetwork net, NodeId self, NodeId peer) {
        TetherConfig.Builder b = TetherConfig.builder(self)
                .commitObserver((nanos, entries, appended, committed) -> {
                    COMMITS.increment();
                    OTHER_ENTRIES.add(entries - appended);
                })
                .peers(peer == null ? List.of() : List.of(peer))
                .transport(net.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .window(8192);
        if (endpointLimit > 0) {
            b.endpointLimits(
                    "*/*", StreamLimits.maxMessages(endpointLimit).policy(OverflowPolicy.block(Duration.ofMinutes(1))));
        }
        return b.build();
    }

    /** {@code --quick}, and each of {@code valued} followed by its value. */
    static Map<String, String> options(List<String> valued, String... args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                m.put(args[i], "");
            } else if (valued.contains(args[i])) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
                m.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; see the bench's javadoc");
            }
        }
        return m;
    }
}
