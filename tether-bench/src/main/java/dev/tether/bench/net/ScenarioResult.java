package dev.tether.bench.net;

import dev.tether.bench.measure.Series;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What one scenario measured: its rounds ({@link Series}: the warm-up, cold round first, and the measured
 * steady-state rounds; messages/s for throughput rows, round-trip latency p50 in nanoseconds for round-trip rows),
 * a latency figure, and the message counts that the smoke test checks. Immutable.
 *
 * @param id short key, e.g. {@code tcp-sqlite}
 * @param title the row's label in the table
 * @param durability what a message survives when counted here (e.g. "none", "SQLite FSYNC")
 * @param roundTrip true if {@code rounds} are round-trip p50 nanoseconds, false if messages/s
 * @param series the warm-up and measured rounds, with CPU per message (all bench processes, see {@link
 *     dev.tether.bench.measure.CpuMeter}) and the load average
 * @param latency latency of the last round (for throughput rows: at about half the maximum rate)
 * @param latencyNote how {@code latency} was taken
 * @param expected messages (or round trips) the scenario sent in all rounds, warm-up included
 * @param counted messages (or round trips) that arrived in those rounds
 */
record ScenarioResult(
        String id,
        String title,
        String durability,
        boolean roundTrip,
        Series series,
        Latency latency,
        String latencyNote,
        long expected,
        long counted) {

    /** The measured rounds' values. */
    double[] rounds() {
        return series.values();
    }

    double median() {
        return series.median();
    }

    /** Median over the measured rounds of the CPU nanoseconds per message (or round trip), all processes. */
    double cpuPerMessage() {
        return series.cpuMedian();
    }

    String roundsText() {
        return Arrays.stream(rounds()).mapToObj(this::value).collect(Collectors.joining(" · "));
    }

    String medianText() {
        return value(median());
    }

    /** A figure of this row: a rate, or a duration for round-trip rows. */
    String valueText(double v) {
        return value(v);
    }

    private String value(double v) {
        return roundTrip ? Latency.micros((long) v) : String.format(Locale.ROOT, "%,.0f", v);
    }
}
