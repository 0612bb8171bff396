package dev.tether.bench.net;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What one scenario measured: per-round values (messages/s for throughput rows, round-trip latency p50 in
 * nanoseconds for round-trip rows), a latency figure, and the message counts that the smoke test checks.
 * Immutable.
 *
 * @param id short key, e.g. {@code tcp-sqlite}
 * @param title the row's label in the table
 * @param durability what a message survives when counted here (e.g. "none", "SQLite FSYNC")
 * @param roundTrip true if {@code rounds} are round-trip p50 nanoseconds, false if messages/s
 * @param rounds one value per measured round
 * @param latency latency of the last round (for throughput rows: at about half the maximum rate)
 * @param latencyNote how {@code latency} was taken
 * @param expected messages (or round trips) the scenario sent in all measured rounds
 * @param counted messages (or round trips) that arrived in those rounds
 * @param cpuPerMessage median over rounds of the CPU nanoseconds that all bench processes used per message (or
 *     round trip), see {@link CpuMeter}
 */
record ScenarioResult(
        String id,
        String title,
        String durability,
        boolean roundTrip,
        double[] rounds,
        Latency latency,
        String latencyNote,
        long expected,
        long counted,
        double cpuPerMessage) {

    double median() {
        return Samples.median(rounds);
    }

    String roundsText() {
        return Arrays.stream(rounds).mapToObj(this::value).collect(Collectors.joining(" · "));
    }

    String medianText() {
        return value(median());
    }

    private String value(double v) {
        return roundTrip ? Latency.micros((long) v) : String.format(Locale.ROOT, "%,.0f", v);
    }
}
