package dev.tether.bench.storage;

import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.SummaryRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a {@link StorageBench} run: per scenario the median and range of its rounds, latency, the
 * ratio to the sqlite-jdbc peer, and every count that did not match. Renders summary lines and a markdown
 * table that can be pasted into docs/BENCHMARKS.md.
 *
 * @param options what was run
 * @param scenarios results in the order they were run
 * @param loadBefore load average when the run started
 * @param loadAfter load average when it ended
 */
record Report(BenchOptions options, List<ScenarioResult> scenarios, String loadBefore, String loadAfter) {
    /** Every count that did not match, over all scenarios; empty for a correct run. */
    public List<String> countErrors() {
        List<String> all = new ArrayList<>();
        for (ScenarioResult s : scenarios) all.addAll(s.countErrors);
        return all;
    }

    /** Scenario names with the number of measured rounds each has. */
    public List<String> roundsPerScenario() {
        return scenarios.stream().map(s -> s.name + ": " + s.rates.size()).toList();
    }

    /** The peer scenarios with batches (not the one-row reference), in the order of {@code --peer-batches}. */
    private List<ScenarioResult> peers() {
        return scenarios.stream().filter(s -> isPeer(s) && !id(s).equals("d1")).toList();
    }

    private static boolean isPeer(ScenarioResult s) {
        return s.name.startsWith("d");
    }

    private static String id(ScenarioResult s) {
        return s.name.substring(0, s.name.indexOf(')'));
    }

    private static String ratio(ScenarioResult s, ScenarioResult peer) {
        return String.format(Locale.ROOT, "%.2f", s.median() / peer.median());
    }

    List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        for (ScenarioResult s : scenarios) {
            StringBuilder b = new StringBuilder();
            b.append(String.format(
                    Locale.ROOT,
                    "%s [%s]: median %s %s over %d rounds",
                    s.name,
                    s.durability,
                    Samples.rate(s.rateArray()),
                    s.unit,
                    s.rates.size()));
            if (!isPeer(s)) {
                for (ScenarioResult peer : peers())
                    b.append(", ").append(ratio(s, peer)).append(" x ").append(id(peer));
            }
            if (s.latency() != null) {
                b.append(isPeer(s) ? "; transaction time " : "; latency at max rate ")
                        .append(s.latency());
            }
            if (s.halfLoadLatency() != null) {
                b.append(String.format(
                                Locale.ROOT,
                                "; at %,.0f msg/s offered (%,.0f achieved) ",
                                s.halfLoadRate,
                                s.halfLoadAchieved))
                        .append(s.halfLoadLatency());
            }
            b.append(String.format(
                    Locale.ROOT,
                    "; CPU %.2f µs/msg (this JVM); cold round %,.0f %s; %s; load %s",
                    series(s).cpuMedian() / 1e3,
                    s.warmUp.cold().value(),
                    s.unit,
                    s.warmUp.text(),
                    series(s).loadText()));
            if (!s.batches.isEmpty()) b.append("; last round: ").append(s.batches);
            b.append(s.countErrors.isEmpty() ? "; counts OK" : "; COUNT ERRORS: " + s.countErrors);
            lines.add(b.toString());
        }
        return lines;
    }

    String markdown() {
        StringBuilder m = new StringBuilder();
        m.append(String.format(
                Locale.ROOT,
                "Machine: %s. Load average at start %s, at end %s. %,d messages x %d B per round, %d rounds,"
                        + " %d sender threads (a), %d lanes (b, c), at most %,d messages outstanding.%n%n",
                Machine.describe(),
                loadBefore,
                loadAfter,
                options.messages(),
                options.payload(),
                options.rounds(),
                options.threads(),
                options.lanes(),
                options.outstanding()));
        StringBuilder heads = new StringBuilder();
        StringBuilder rule = new StringBuilder();
        for (ScenarioResult peer : peers()) {
            heads.append(" ÷ ").append(id(peer)).append(" |");
            rule.append("---|");
        }
        m.append("| scenario | durability | rounds | **median** | range |")
                .append(heads)
                .append(" CPU per msg (this JVM) | cold round | warm-up | load start -> end |"
                        + " latency p50 / p99 / p99.9 at max rate (peer: per transaction) | offered half load |"
                        + " latency p50 / p99 / p99.9 at half load |\n");
        m.append("|---|---|---|---|---|").append(rule).append("---|---|---|---|---|---|---|\n");
        for (ScenarioResult s : scenarios) {
            double[] r = s.rateArray();
            m.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | **%,.0f %s** | %,.0f-%,.0f |%s %.2f µs | %,.0f | %s | %s | %s | %s | %s |%n",
                    s.name,
                    s.durability,
                    r.length,
                    Samples.median(r),
                    s.unit,
                    Samples.min(r),
                    Samples.max(r),
                    ratios(s),
                    series(s).cpuMedian() / 1e3,
                    s.warmUp.cold().value(),
                    s.warmUp.text(),
                    series(s).loadText(),
                    percentiles(s.latency()),
                    s.halfLoadRate > 0 ? String.format(Locale.ROOT, "%,.0f msg/s", s.halfLoadRate) : "",
                    percentiles(s.halfLoadLatency())));
        }
        m.append("\n÷ dN: median of the row / median of the sqlite-jdbc peer with N rows per commit.\n");
        return m.toString();
    }

    private Series series(ScenarioResult s) {
        return s.series(loadAfter);
    }

    /**
     * The summary-table rows this bench measures: (a) and (b) beside the sqlite-jdbc peer with the largest batches
     * of this run (or no peer if it did not run).
     */
    List<SummaryRow> summaryRows() {
        List<SummaryRow> rows = new ArrayList<>();
        List<ScenarioResult> peers = peers();
        ScenarioResult peer = peers.isEmpty() ? null : peers.get(peers.size() - 1);
        for (ScenarioResult s : scenarios) {
            String id = id(s);
            String target = switch (id) {
                case "a" -> "store alone, `FSYNC`, group commit: >= 100,000 appends/s";
                case "b" -> "two nodes in one process, SQLite `FSYNC`: >= 50,000 msg/s (issue 3)";
                default -> null;
            };
            if (target == null) continue;
            double bar = id.equals("a") ? 100_000 : 50_000;
            Series ss = series(s);
            rows.add(new SummaryRow(
                    target,
                    SummaryRow.rateFigure(ss, id.equals("a") ? "appends/s" : "msg/s"),
                    ss.cpuMedian(),
                    peer == null
                            ? "-"
                            : SummaryRow.peer(
                                    "plain sqlite-jdbc loop, " + id(peer).substring(1) + " rows per commit",
                                    String.format(Locale.ROOT, "%,.0f rows/s", peer.median()),
                                    series(peer)),
                    peer == null ? "-" : SummaryRow.ratio(s.median(), peer.median()),
                    (s.median() >= bar ? "met" : "**not met**") + (s.countErrors.isEmpty() ? "" : "; COUNT ERRORS"),
                    ss.loadText(),
                    "scripts/bench storage --scenarios " + (id.equals("a") ? "store" : "fsync") + ",peer"));
        }
        effectsRow(rows);
        return rows;
    }

    /** (e) beside (b) of the same run: exactly-once effects cost at most half the plain end-to-end rate (issue 12). */
    private void effectsRow(List<SummaryRow> rows) {
        ScenarioResult e = byId("e");
        ScenarioResult b = byId("b");
        if (e == null || b == null) return;
        Series es = series(e);
        double ratio = e.median() / b.median();
        rows.add(new SummaryRow(
                "two nodes, SQLite `FSYNC`, transactional handler writing 1 application row per message: >= 50% of"
                        + " plain `FSYNC` end to end (issue 12)",
                SummaryRow.rateFigure(es, "msg/s"),
                es.cpuMedian(),
                SummaryRow.peer(
                        "two nodes, plain `FSYNC` handler (b)",
                        String.format(Locale.ROOT, "%,.0f msg/s", b.median()),
                        series(b)),
                SummaryRow.ratio(e.median(), b.median()),
                (ratio >= 0.5 ? "met" : "**not met**") + (e.countErrors.isEmpty() ? "" : "; COUNT ERRORS"),
                es.loadText(),
                "scripts/bench storage --scenarios fsync,effects"));
    }

    private ScenarioResult byId(String id) {
        return scenarios.stream().filter(s -> id(s).equals(id)).findFirst().orElse(null);
    }

    private String ratios(ScenarioResult s) {
        StringBuilder r = new StringBuilder();
        for (ScenarioResult peer : peers())
            r.append(' ').append(isPeer(s) ? "" : ratio(s, peer)).append(" |");
        return r.toString();
    }

    private static String percentiles(Latency l) {
        if (l == null) return "";
        return Samples.nanos(l.p50()) + " / " + Samples.nanos(l.p99()) + " / " + Samples.nanos(l.p999());
    }
}
