package dev.tether.bench.storage;

import dev.tether.Durability;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.MeteredStore;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.storage.BenchOptions.Scenario;
import dev.tether.bus.HistoryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The storage benchmarks of issue 3, side by side in one run: (a) sends accepted through the runtime's group
 * commit into SQLite, (b) two nodes end to end at FSYNC, (c) the same at OS_BUFFERED, (d) the ceiling, a
 * plain sqlite-jdbc batch-insert loop on the same table, and (e) (issue 12) (b) with a transactional handler that
 * inserts one application row per message in the transaction of its cursor. Each scenario first warms up by {@link Steady}'s rule
 * (rounds of the measured size, discarded until two consecutive ones differ by less than 10%; the cold round is
 * reported apart), then all run {@code --repeat} measured rounds, interleaved so that noise from other processes
 * hits all of them alike; CPU per message (this JVM) and the load average are reported per scenario; the
 * two-node scenarios are then measured again at a fixed offered load of half their median rate. The bench
 * prints one line per round and a summary line per scenario, writes a markdown table to {@code --out}, and
 * fails (exit status 1) if any run lost, duplicated or reordered a message or stored the wrong number of rows.
 *
 * <p>Usage: see {@link BenchOptions#usage()}; the exact command is in docs/BENCHMARKS.md.
 */
public final class StorageBench {
    private static final double HALF_LOAD_SECONDS = 5;

    private StorageBench() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: " + BenchOptions.usage());
            System.exit(2);
            return;
        }
        Report report = run(o);
        if (!report.countErrors().isEmpty()) {
            report.countErrors().forEach(System.err::println);
            System.exit(1);
        }
    }

    /** Runs the selected scenarios, prints progress and summaries, writes the markdown file. */
    static Report run(BenchOptions o) throws Exception {
        String loadBefore = Machine.loadAverage();
        System.out.printf(
                Locale.ROOT,
                "# storage bench: %s; load average %s; %,d messages x %d B, %d rounds, %d sender threads,"
                        + " %d lanes%n",
                Machine.describe(),
                loadBefore,
                o.messages(),
                o.payload(),
                o.rounds(),
                o.threads(),
                o.lanes());
        Map<String, ScenarioResult> results = new LinkedHashMap<>();
        Rounds rounds = new Rounds(o, results);
        rounds.warmUp();
        for (int r = 1; r <= o.rounds(); r++) rounds.measure(r);
        if (o.scenarios().contains(Scenario.FSYNC)) rounds.halfLoad(results.get("b"), Durability.FSYNC);
        if (o.scenarios().contains(Scenario.OS)) rounds.halfLoad(results.get("c"), Durability.OS_BUFFERED);
        String loadAfter = Machine.loadAverage();
        Report report = new Report(o, List.copyOf(results.values()), loadBefore, loadAfter);
        dev.tether.bench.measure.SummaryRow.append(o.summary(), report.summaryRows());
        System.out.println();
        report.summaryLines().forEach(System.out::println);
        try {
            Path parent = o.markdown().toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(o.markdown(), report.markdown());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + o.markdown(), e);
        }
        System.out.println("markdown table written to " + o.markdown().toAbsolutePath());
        return report;
    }

    /** Runs each selected scenario once per round, filling {@code results}. */
    private static final class Rounds {
        private final BenchOptions o;
        private final Map<String, ScenarioResult> results;

        Rounds(BenchOptions o, Map<String, ScenarioResult> results) {
            this.o = o;
            this.results = results;
            if (o.scenarios().contains(Scenario.STORE)) {
                add("a", "store alone: " + o.threads() + " sender threads, group commit", "FSYNC (synchronous=FULL)");
            }
            if (o.scenarios().contains(Scenario.FSYNC)) {
                add("b", "two nodes, in-memory transport, " + o.lanes() + " lanes", "FSYNC (synchronous=FULL)");
            }
            if (o.scenarios().contains(Scenario.OS)) {
                add("c", "two nodes, in-memory transport, " + o.lanes() + " lanes", "OS_BUFFERED (synchronous=NORMAL)");
            }
            if (o.scenarios().contains(Scenario.HISTORY)) {
                add("m", "as c), history on, metadata only", "OS_BUFFERED (synchronous=NORMAL)");
            }
            if (o.scenarios().contains(Scenario.HISTORY_PAYLOADS)) {
                add("p", "as c), history on, whole payloads kept", "OS_BUFFERED (synchronous=NORMAL)");
            }
            if (o.scenarios().contains(Scenario.EFFECTS)) {
                add(
                        "e",
                        "two nodes, " + o.lanes() + " lanes, transactional handler: 1 application row per message",
                        "FSYNC (synchronous=FULL)");
            }
            if (o.scenarios().contains(Scenario.PEER)) {
                for (int b : o.peerBatches()) {
                    add("d" + b, "sqlite-jdbc peer, " + b + " rows per commit", "synchronous=FULL, WAL");
                }
                add("d1", "sqlite-jdbc peer, 1 row per commit", "synchronous=FULL, WAL");
            }
        }

        private void add(String id, String what, String durability) {
            results.put(id, new ScenarioResult(id + ") " + what, durability, id.startsWith("d") ? "rows/s" : "msg/s"));
        }

        /**
         * Warms each scenario up by {@link Steady}'s rule with rounds of the measured size, one scenario after the
         * other; the one-row-per-commit peer at most 2 rounds, since an fsync per row, not the JIT, sets its rate.
         */
        void warmUp() throws Exception {
            for (Map.Entry<String, ScenarioResult> e : results.entrySet()) {
                ScenarioResult s = e.getValue();
                s.loadStart = Machine.loadAverage();
                int max = e.getKey().equals("d1") ? Math.min(2, o.maxWarmUp()) : o.maxWarmUp();
                s.warmUp = Steady.warmUp(e.getKey(), max, Steady::rate, () -> once(e.getKey(), s, null));
                s.latencies.clear(); // the warm-up's counts stay checked, its latencies are not reported
            }
        }

        void measure(int round) throws Exception {
            CpuShare cpu = CpuShare.start();
            List<String> line = new ArrayList<>();
            for (Map.Entry<String, ScenarioResult> e : results.entrySet()) {
                e.getValue().add(once(e.getKey(), e.getValue(), line));
            }
            System.out.printf(
                    Locale.ROOT,
                    "round %d [load %s, this JVM got %s]: %s%n",
                    round,
                    Machine.loadAverage(),
                    cpu.sinceStart(),
                    String.join(" | ", line));
        }

        /** One run of scenario {@code id}, counts checked; adds its text to {@code line} if that is not null. */
        private Round once(String id, ScenarioResult s, List<String> line) throws InterruptedException {
            Meter m = Meter.start();
            return switch (id) {
                case "a" -> {
                    StoreAppendScenario.Run r = StoreAppendScenario.run(o, Durability.FSYNC, o.messages());
                    s.expect("sends", o.messages(), r.sent());
                    s.expect("accepted sends", o.messages(), r.accepted());
                    s.expect("failed sends", 0, r.failed());
                    s.expect("outbox rows", o.messages(), r.rowsStored());
                    s.batches = batchText(r.commits()) + "; " + r.cpu();
                    if (line != null)
                        line.add(String.format(Locale.ROOT, "a %,.0f (%s)", r.appendsPerSecond(), s.batches));
                    yield m.round(r.appendsPerSecond(), o.messages());
                }
                case "b" -> twoNodes(s, Durability.FSYNC, false, null, line, m);
                case "c" -> twoNodes(s, Durability.OS_BUFFERED, false, null, line, m);
                case "e" -> twoNodes(s, Durability.FSYNC, true, null, line, m);
                case "m" -> twoNodes(s, Durability.OS_BUFFERED, false, HistoryOptions.DEFAULT, line, m);
                case "p" ->
                    twoNodes(s, Durability.OS_BUFFERED, false, HistoryOptions.DEFAULT.payloads(o.payload()), line, m);
                default -> {
                    int batch = Integer.parseInt(id.substring(1));
                    int rows = batch == 1 ? o.singleRows() : o.peerRows();
                    yield peer(s, rows, batch, line, m);
                }
            };
        }

        private Round twoNodes(
                ScenarioResult s, Durability d, boolean effects, HistoryOptions history, List<String> line, Meter m) {
            TwoNodeScenario.Run r = TwoNodeScenario.maxRate(o, d, effects, history, o.messages());
            check(s, r, o.messages());
            if (effects) s.expect("application rows", o.messages(), r.applicationRows());
            s.latencies.add(r.latency());
            s.batches = batchText(r.senderCommits()) + "; receiver "
                    + r.receiverCommits().commits() + " commits";
            if (line != null)
                line.add(String.format(Locale.ROOT, "%s %,.0f", s.name.substring(0, 1), r.messagesPerSecond()));
            return m.round(r.messagesPerSecond(), o.messages());
        }

        private static void check(ScenarioResult s, TwoNodeScenario.Run r, long messages) {
            s.expect("delivered messages", messages, r.delivered());
            s.expect("missing messages", 0, r.missing());
            s.expect("duplicate deliveries", 0, r.duplicates());
            s.expect("deliveries out of lane order", 0, r.outOfOrder());
        }

        private Round peer(ScenarioResult s, int rows, int batch, List<String> line, Meter m) {
            SqlitePeerScenario.Run r = SqlitePeerScenario.run(rows, batch, o.payload());
            s.latencies.add(r.transactions());
            s.batches = String.format(Locale.ROOT, "CPU per row %.1f µs", r.cpuMicrosPerRow());
            s.expect("rows in the table", rows, r.rowsStored());
            if (line != null) line.add(String.format(Locale.ROOT, "peer/%d %,.0f", batch, r.rowsPerSecond()));
            Round measured = m.round(r.rowsPerSecond(), rows);
            // The peer's whole loop runs on this thread, whose clock has nanosecond resolution; the process clock
            // (CpuMeter) ticks every 10 ms, and a quick round of 100 rows can fall between two ticks (CPU 0).
            return new Round(measured.value(), r.cpuMicrosPerRow() * 1e3, measured.seconds(), measured.load());
        }

        void halfLoad(ScenarioResult s, Durability d) {
            double rate = s.median() / 2;
            int n = (int) Math.max(Math.min(o.messages(), rate * HALF_LOAD_SECONDS), Math.min(o.messages(), 1000));
            s.halfLoadRate = rate;
            List<Double> achieved = new ArrayList<>();
            for (int r = 1; r <= o.rounds(); r++) {
                CpuShare cpu = CpuShare.start();
                TwoNodeScenario.Run run = TwoNodeScenario.fixedRate(o, d, false, n, rate);
                check(s, run, n);
                s.halfLoadLatencies.add(run.latency());
                achieved.add(run.messagesPerSecond());
                System.out.printf(
                        Locale.ROOT,
                        "%s at %,.0f msg/s offered, round %d [load %s, this JVM got %s]: %s; sender store %s%n",
                        s.name.substring(0, 1),
                        rate,
                        r,
                        Machine.loadAverage(),
                        cpu.sinceStart(),
                        run.latency(),
                        batchText(run.senderCommits()));
            }
            s.halfLoadAchieved = Samples.median(
                    achieved.stream().mapToDouble(Double::doubleValue).toArray());
        }

        private static String batchText(MeteredStore.CommitCounts c) {
            return String.format(
                    Locale.ROOT,
                    "%,d commits, %.0f appends/commit (max %,d), %s per commit (longest %s)",
                    c.commits(),
                    c.meanBatch(),
                    c.largestBatch(),
                    Samples.nanos(c.commits() == 0 ? 0 : (double) c.commitNanos() / c.commits()),
                    Samples.nanos(c.longestCommitNanos()));
        }
    }
}
