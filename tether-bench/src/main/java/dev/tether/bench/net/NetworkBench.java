package dev.tether.bench.net;

import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.measure.SummaryRow;
import dev.tether.fixtures.NatsServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The network benchmarks of issue 4, side by side in one run, printed as a markdown table: a raw Java socket
 * ping-pong (latency floor), raw core NATS (transport ceiling), NATS JetStream with a file stream (the durable
 * peer), Tether over TCP and over NATS between two child JVMs with SQLite (durability FSYNC) and in-memory
 * stores, the {@code send(...).processed()} round trip over TCP, and request/reply calls over TCP ({@link
 * CallPair}: one at a time, and pipelined); with {@code --only ...,uds-memory,uds-roundtrip} the same pair over Unix
 * domain sockets, beside TCP in the same run; with {@code --only ...,handoff-floor} the round trip's threading with no
 * Tether in it ({@link HandOffFloor}). Every payload is 100 bytes. The bench starts
 * its own nats-server (JetStream enabled) on a free loopback port and its own child JVMs, and stops them all.
 *
 * <p>Usage (after {@code mvn -B -q -pl tether-bench -am package -DskipTests}):
 *
 * <pre>
 * java -cp tether-bench/target/tether-bench-0.1.0-SNAPSHOT.jar:$(cat tether-bench/target/classpath.txt) \
 *     dev.tether.bench.net.NetworkBench [--quick] [--messages N] [--repeat N] [--max-warmup N] [--pingpongs N] \
 *     [--lanes N] [--summary FILE] \
 *     [--outstanding N] [--latency-messages N] [--latency-rate N] [--latency-rounds N] [--requests N] \
 *     [--call-outstanding N] \
 *     [--only socket-pingpong,nats-core,jetstream,tcp-sqlite,...]
 *     # or, two scenarios in alternation ({@link PairedRun}; --repeat N is the number of pairs):
 *     [same options but --only and --summary] --paired A[:option=value...],B[:option=value...]
 * </pre>
 *
 * <p>Each scenario runs warm-up rounds by {@link Steady}'s rule (discarded until two consecutive rounds differ by
 * less than 10%, at most {@code --max-warmup}), then {@code --repeat} measured rounds (default 5): the median,
 * range and IQR of those, the cold first round, CPU per message of all processes and the load average at the start
 * and end are printed per scenario. {@code scripts/bench net ...} runs it with the right class path. A scenario
 * that fails is reported and the others still run; the exit status is then 1.
 */
public final class NetworkBench {
    /** Bytes of every payload in every scenario. */
    static final int PAYLOAD = 100;

    /** What a run produced: rows in table order and the failures of scenarios that produced none. */
    public record Report(List<ScenarioResult> results, List<String> failures) {}

    public static void main(String[] args) throws Exception {
        if (PairedOptions.requested(args)) {
            PairedOptions p;
            try {
                p = PairedOptions.parse(args);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                System.exit(2);
                return;
            }
            System.exit(PairedRun.main(p));
            return;
        }
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(header(o));
        Report report = run(o);
        System.out.println();
        System.out.print(MarkdownReport.render(o, report));
        System.out.println();
        System.out.println("load average at the end: " + loadAverage());
        SummaryRow.append(o.summary(), SummaryRows.of(report));
        System.exit(report.failures().isEmpty() ? 0 : 1);
    }

    /** Runs the selected scenarios in table order; never throws for a failing scenario (see the report). */
    public static Report run(BenchOptions o) throws IOException {
        List<ScenarioResult> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        boolean needsNats = o.scenarios().stream().anyMatch(s -> s.contains("nats") || s.equals("jetstream"));
        try (NatsServerProcess nats =
                needsNats ? NatsServerProcess.builder().jetStream().start() : null) {
            String url = nats == null ? "-" : nats.url();
            for (String s : o.scenarios()) {
                if (s.equals("tcp-roundtrip") && o.scenarios().contains("tcp-memory")) continue; // ran with it
                if (s.equals("uds-roundtrip") && o.scenarios().contains("uds-memory")) continue;
                if (s.equals("composite-roundtrip") && o.scenarios().contains("composite-memory")) continue;
                long t = System.nanoTime();
                System.out.printf(Locale.ROOT, "running %s ...%n", s);
                try {
                    results.addAll(scenario(o, s, url));
                } catch (Exception e) {
                    failures.add(s + ": " + e);
                    System.out.println("FAILED " + s + ": " + e);
                    e.printStackTrace(System.out);
                }
                System.out.printf(Locale.ROOT, "  %s took %.1f s%n", s, (System.nanoTime() - t) / 1e9);
            }
        }
        results.sort((a, b) -> BenchOptions.ALL.indexOf(a.id()) - BenchOptions.ALL.indexOf(b.id()));
        return new Report(List.copyOf(results), List.copyOf(failures));
    }

    /** Sets up and measures scenario {@code s} (one or two rows); a paired side runs it on its own thread. */
    static List<ScenarioResult> scenario(BenchOptions o, String s, String url) throws Exception {
        boolean rtt = o.scenarios().contains("tcp-roundtrip");
        boolean udsRtt = o.scenarios().contains("uds-roundtrip");
        boolean compositeRtt = o.scenarios().contains("composite-roundtrip");
        return switch (s) {
            case "socket-pingpong" -> List.of(SocketPingPong.run(o));
            case "handoff-floor" -> List.of(HandOffFloor.run(o, false));
            case "handoff-floor-inline" -> List.of(HandOffFloor.run(o, true));
            case "nats-core" -> List.of(NatsBaselines.core(o, url));
            case "jetstream" -> List.of(NatsBaselines.jetStream(o, url));
            case "tcp-sqlite" -> TetherPair.run(o, "tcp", "sqlite", url, true, false);
            case "tcp-memory" -> TetherPair.run(o, "tcp", "memory", url, true, rtt);
            case "nats-memory" -> TetherPair.run(o, "nats", "memory", url, true, false);
            case "nats-sqlite" -> TetherPair.run(o, "nats", "sqlite", url, true, false);
            case "nats-sqlite-os" -> TetherPair.run(o, "nats", "sqlite-os", url, true, false);
            case "tcp-roundtrip" -> TetherPair.run(o, "tcp", "memory", url, false, true);
            case "tcp-roundtrip-inline" -> TetherPair.run(o, "tcp", "memory", "inline", url, false, true);
            case "tcp-roundtrip-chained" -> TetherPair.run(o, "tcp", "memory", "chained", url, false, true);
            case "tcp-sqlite-os" -> TetherPair.run(o, "tcp", "sqlite-os", url, true, false);
            case "tcp-sqlite-effects" -> TetherPair.run(o, "tcp", "sqlite-effects", url, true, false);
            case "uds-memory" -> TetherPair.run(o, "uds", "memory", url, true, udsRtt);
            case "uds-roundtrip" -> TetherPair.run(o, "uds", "memory", url, false, true);
            case "composite-memory" -> TetherPair.run(o, "composite", "memory", url, true, compositeRtt);
            case "composite-roundtrip" -> TetherPair.run(o, "composite", "memory", url, false, true);
            default -> {
                if (!s.startsWith("tcp-request-") && !s.startsWith("grpc-request"))
                    throw new IllegalArgumentException(s);
                yield List.of(CallPair.run(o, s));
            }
        };
    }

    static String header(BenchOptions o) {
        return String.format(
                Locale.ROOT,
                "# network bench: %s; %,d messages x %d B per round, warm-up until two rounds differ by < %.0f%% (at"
                        + " most %d), then %d measured rounds, %d lanes, %,d outstanding, %,d round trips per round%n"
                        + "# machine: %d cores, %s, JDK %s; load average at start: %s",
                o.quick() ? "QUICK (sizes too small for timing)" : "full",
                o.messages(),
                PAYLOAD,
                Steady.TOLERANCE * 100,
                o.maxWarmUp(),
                o.rounds(),
                o.lanes(),
                o.maxOutstanding(),
                o.pingPongs(),
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("java.vm.version"),
                loadAverage());
    }

    private static String cpuModel() {
        return firstLine(Path.of("/proc/cpuinfo"), "model name", "unknown CPU").replaceFirst("model name\\s*:\\s*", "");
    }

    static String loadAverage() {
        return Load.now();
    }

    private static String firstLine(Path file, String prefix, String fallback) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith(prefix))
                    .findFirst()
                    .orElse(fallback);
        } catch (IOException e) {
            return fallback;
        }
    }

    private NetworkBench() {}
}
