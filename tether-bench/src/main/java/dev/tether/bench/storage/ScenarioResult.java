package dev.tether.bench.storage;

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
