package dev.tether.bench.storage;

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

    /** The peer scenario with the most rows per commit: the storage ceiling Tether is compared with. */
    private ScenarioResult ceiling() {
        ScenarioResult best = null;
        for (ScenarioResult s : scenarios) {
            if (s.name.startsWith("d") && (best == null || s.median() > best.median())) best = s;
        }
        return best;
    }

    private String ratio(ScenarioResult s) {
        ScenarioResult peer = ceiling();
        if (peer == null || s.name.startsWith("d")) return "";
        return String.format(Locale.ROOT, "%.2f", s.median() / peer.median());
    }

    List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        ScenarioResult peer = ceiling();
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
            if (!ratio(s).isEmpty())
                b.append(", ")
                        .append(ratio(s))
                        .append(" x peer (")
                        .append(peer.name, 0, peer.name.indexOf(')'))
                        .append(")");
            if (s.latency() != null) b.append("; latency at max rate ").append(s.latency());
            if (s.halfLoadLatency() != null) {
                b.append(String.format(Locale.ROOT, "; at %,.0f msg/s offered ", s.halfLoadRate))
                        .append(s.halfLoadLatency());
            }
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
                        + " %d sender threads (a), %d lanes (b, c).%n%n",
                Machine.describe(),
                loadBefore,
                loadAfter,
                options.messages(),
                options.payload(),
                options.rounds(),
                options.threads(),
                options.lanes()));
        m.append("| scenario | durability | rounds | **median** | range | ratio to peer | latency p50 / p99 / p99.9"
                + " at max rate | offered half load | latency p50 / p99 / p99.9 at half load |\n");
        m.append("|---|---|---|---|---|---|---|---|---|\n");
        for (ScenarioResult s : scenarios) {
            double[] r = s.rateArray();
            m.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | **%,.0f %s** | %,.0f-%,.0f | %s | %s | %s | %s |%n",
                    s.name,
                    s.durability,
                    r.length,
                    Samples.median(r),
                    s.unit,
                    Samples.min(r),
                    Samples.max(r),
                    ratio(s),
                    percentiles(s.latency()),
                    s.halfLoadRate > 0 ? String.format(Locale.ROOT, "%,.0f msg/s", s.halfLoadRate) : "",
                    percentiles(s.halfLoadLatency())));
        }
        ScenarioResult peer = ceiling();
        if (peer != null)
            m.append("\nRatio: Tether median / median of ").append(peer.name).append(".\n");
        return m.toString();
    }

    private static String percentiles(Latency l) {
        if (l == null) return "";
        return Samples.nanos(l.p50()) + " / " + Samples.nanos(l.p99()) + " / " + Samples.nanos(l.p999());
    }
}
