package dev.tether.bench.net;

import dev.tether.bench.measure.Steady;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Sizes of a {@link NetworkBench} run. Immutable; parse with {@link #parse}.
 *
 * @param messages messages per throughput round (Tether and NATS scenarios)
 * @param pingPongs round trips per round-trip round
 * @param rounds measured rounds per scenario ({@code --repeat}), after the warm-up rounds of {@link Steady}'s rule
 * @param maxWarmUp warm-up rounds at most (the cold round included) before the measured ones
 * @param lanes lanes the pipelined Tether sender spreads its messages over
 * @param maxOutstanding sent but not yet processed messages the pipelined Tether sender allows
 * @param latencyMessages messages of the paced latency run after the throughput rounds (0: skip)
 * @param latencyRate messages per second offered in the paced run (0: half the median throughput)
 * @param latencyRounds paced runs; the table shows the one with the median p99
 * @param requests requests per round of the pipelined request scenarios
 * @param callOutstanding requests waiting for replies at once in the pipelined request scenarios
 * @param childJvmArgs extra JVM options for the child JVMs (e.g. a JFR recording)
 * @param scenarios scenario ids to run, in table order
 * @param quick true for the tiny smoke-test sizes
 * @param summary file the summary-table rows are appended to ({@code --summary}), or null
 */
public record BenchOptions(
        int messages,
        int pingPongs,
        int rounds,
        int maxWarmUp,
        int lanes,
        int maxOutstanding,
        int latencyMessages,
        int latencyRate,
        int latencyRounds,
        int requests,
        int callOutstanding,
        List<String> childJvmArgs,
        List<String> scenarios,
        boolean quick,
        Path summary) {

    /** The scenarios of a run without {@code --only}, in table order. */
    public static final List<String> DEFAULT = List.of(
            "socket-pingpong",
            "nats-core",
            "jetstream",
            "tcp-sqlite",
            "tcp-memory",
            "nats-memory",
            "nats-sqlite",
            "nats-sqlite-os",
            "tcp-roundtrip",
            "tcp-roundtrip-inline",
            "tcp-roundtrip-chained",
            "tcp-request-rtt-memory",
            "tcp-request-memory",
            "tcp-request-rtt-sqlite",
            "tcp-request-sqlite",
            "tcp-request-rtt-volatile",
            "tcp-request-volatile",
            "grpc-request-rtt",
            "grpc-request");

    /**
     * Every scenario, in table order: the default ones, then {@code tcp-sqlite-os} (TCP + SQLite at OS_BUFFERED,
     * a diagnostic: the same path as tcp-sqlite without an fsync per commit, to tell the disk's share of its
     * latency from the rest), {@code tcp-sqlite-effects} (tcp-sqlite with a transactional handler writing one
     * application row per message in the receiver's store: issue 12's exactly-once effects against tcp-sqlite), Tether over Unix domain sockets (throughput and round trip, in-memory store, to compare
     * with tcp-memory and tcp-roundtrip), the same over a composite transport (TCP preferred, Unix domain sockets
     * the fallback: what carrying the peer through {@code CompositeTransport} costs), {@code handoff-floor} (the
     * threads of tcp-roundtrip passing a frame on with no Tether: {@link HandOffFloor}; {@code handoff-floor-inline}
     * the same for tcp-roundtrip-inline's three threads), and the request scenarios with
     * 4 KiB payloads.
     */
    public static final List<String> ALL = Stream.concat(
                    DEFAULT.stream(),
                    Stream.of(
                            "tcp-sqlite-os",
                            "tcp-sqlite-effects",
                            "uds-memory",
                            "uds-roundtrip",
                            "composite-memory",
                            "composite-roundtrip",
                            "handoff-floor",
                            "handoff-floor-inline",
                            "tcp-request-rtt-memory-4k",
                            "tcp-request-memory-4k",
                            "tcp-request-rtt-sqlite-4k",
                            "tcp-request-sqlite-4k",
                            "tcp-request-rtt-volatile-4k",
                            "tcp-request-volatile-4k",
                            "grpc-request-rtt-4k",
                            "grpc-request-4k"))
            .toList();

    public BenchOptions {
        if (messages < 1
                || pingPongs < 1
                || rounds < 1
                || maxWarmUp < 1
                || lanes < 1
                || maxOutstanding < 1
                || latencyMessages < 0
                || latencyRate < 0
                || latencyRounds < 1
                || requests < 1
                || callOutstanding < 1) {
            throw new IllegalArgumentException("counts must be positive");
        }
        for (String s : scenarios) {
            if (!ALL.contains(s)) throw new IllegalArgumentException("unknown scenario " + s + "; known: " + ALL);
        }
        scenarios = List.copyOf(scenarios);
        childJvmArgs = List.copyOf(childJvmArgs);
    }

    /** The tiny sizes of {@code --quick}: every scenario runs, counts are checked, timings mean nothing. */
    public static BenchOptions quickSizes() {
        return new BenchOptions(1_000, 50, 2, 2, 2, 1_000, 200, 0, 1, 300, 16, List.of(), DEFAULT, true, null);
    }

    /** The sizes of a real run (those of docs/BENCHMARKS.md). */
    public static BenchOptions fullSizes() {
        return new BenchOptions(
                500_000,
                20_000,
                Steady.REPEAT,
                Steady.MAX_WARM_UP,
                4,
                100_000,
                100_000,
                0,
                1,
                100_000,
                64,
                List.of(),
                DEFAULT,
                false,
                null);
    }

    /**
     * Parses {@code --quick}, {@code --messages N}, {@code --pingpongs N}, {@code --repeat N} (or {@code --rounds
     * N}), {@code --max-warmup N}, {@code --summary FILE}, {@code --lanes N},
     * {@code --outstanding N}, {@code --latency-messages N}, {@code --latency-rate N}, {@code --latency-rounds N},
     * {@code --requests N}, {@code --call-outstanding N}, {@code --child-jvm-arg OPTION} (repeatable) and
     * {@code --only id,id,...}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static BenchOptions parse(String... args) {
        BenchOptions o = List.of(args).contains("--quick") ? quickSizes() : fullSizes();
        int messages = o.messages, pingPongs = o.pingPongs, rounds = o.rounds, lanes = o.lanes;
        int maxWarmUp = o.maxWarmUp;
        Path summary = null;
        int outstanding = o.maxOutstanding, latency = o.latencyMessages;
        int latencyRate = o.latencyRate, latencyRounds = o.latencyRounds;
        int requests = o.requests, callOutstanding = o.callOutstanding;
        List<String> scenarios = new ArrayList<>(o.scenarios);
        List<String> jvmArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) continue;
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + a);
            String v = args[++i];
            switch (a) {
                case "--messages" -> messages = number(a, v);
                case "--pingpongs" -> pingPongs = number(a, v);
                case "--rounds", "--repeat" -> rounds = number(a, v);
                case "--max-warmup" -> maxWarmUp = number(a, v);
                case "--summary" -> summary = Path.of(v);
                case "--lanes" -> lanes = number(a, v);
                case "--outstanding" -> outstanding = number(a, v);
                case "--latency-messages" -> latency = number(a, v);
                case "--latency-rate" -> latencyRate = number(a, v);
                case "--latency-rounds" -> latencyRounds = number(a, v);
                case "--requests" -> requests = number(a, v);
                case "--call-outstanding" -> callOutstanding = number(a, v);
                case "--child-jvm-arg" -> jvmArgs.add(v);
                case "--only" -> scenarios = new ArrayList<>(List.of(v.split(",")));
                default -> throw new IllegalArgumentException("unknown option " + a + "; see NetworkBench javadoc");
            }
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String s : ALL) if (scenarios.contains(s)) ordered.add(s);
        for (String s : scenarios) if (!ALL.contains(s)) ordered.add(s); // rejected by the constructor
        return new BenchOptions(
                messages,
                pingPongs,
                rounds,
                maxWarmUp,
                lanes,
                outstanding,
                latency,
                latencyRate,
                latencyRounds,
                requests,
                callOutstanding,
                jvmArgs,
                List.copyOf(ordered),
                o.quick,
                summary);
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got " + value, e);
        }
    }
}
