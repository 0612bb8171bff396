package dev.tether.bench.storage;

import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.WarmUp;
import java.util.ArrayList;
import java.util.List;

/**
 * What one scenario measured over all its rounds: the rate of each round, latency where it applies, the
 * group-commit batch counters, and every count that did not match (empty when the run was correct).
 */
final class ScenarioResult {
    final String name;
    final String durability;
    final String unit;
    final List<Double> rates = new ArrayList<>();
    /** The measured rounds with their CPU per message; {@link #rates} holds the same values. */
    final List<Round> rounds = new ArrayList<>();

    WarmUp warmUp;
    String loadStart = "";
    final List<Latency> latencies = new ArrayList<>();
    final List<Latency> halfLoadLatencies = new ArrayList<>();
    final List<String> countErrors = new ArrayList<>();
    double halfLoadRate;
    double halfLoadAchieved;
    String batches = "";

    ScenarioResult(String name, String durability, String unit) {
        this.name = name;
        this.durability = durability;
        this.unit = unit;
    }

    double[] rateArray() {
        return rates.stream().mapToDouble(Double::doubleValue).toArray();
    }

    double median() {
        return Samples.median(rateArray());
    }

    /** Records a measured round. */
    void add(Round r) {
        rounds.add(r);
        rates.add(r.value());
    }

    /** The warm-up and measured rounds; {@code loadEnd} is the load average now. */
    Series series(String loadEnd) {
        return new Series(warmUp, rounds, loadStart, loadEnd);
    }

    void expect(String what, long expected, long actual) {
        if (expected != actual) countErrors.add(name + ": " + what + " was " + actual + ", expected " + expected);
    }

    Latency latency() {
        return latencies.isEmpty() ? null : Latency.median(latencies.toArray(new Latency[0]));
    }

    Latency halfLoadLatency() {
        return halfLoadLatencies.isEmpty() ? null : Latency.median(halfLoadLatencies.toArray(new Latency[0]));
    }
}
