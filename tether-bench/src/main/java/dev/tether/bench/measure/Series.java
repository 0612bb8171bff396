package dev.tether.bench.measure;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A scenario's rounds: its warm-up (cold round first) and the measured steady-state rounds, with the load average
 * at the start and the end. Reports the median and spread of the measured rounds only. Immutable.
 *
 * @param warmUp the discarded rounds
 * @param measured the steady-state rounds; never empty
 * @param loadStart load averages (1, 5, 15 minutes) before the cold round
 * @param loadEnd load averages after the last measured round
 */
public record Series(WarmUp warmUp, List<Round> measured, String loadStart, String loadEnd) {
    public Series {
        if (measured.isEmpty()) throw new IllegalArgumentException("a series has at least one measured round");
        measured = List.copyOf(measured);
    }

    /** The figure of each measured round, in order. */
    public double[] values() {
        return measured.stream().mapToDouble(Round::value).toArray();
    }

    /** The CPU nanoseconds per op of each measured round, in order. */
    public double[] cpu() {
        return measured.stream().mapToDouble(Round::cpuPerOp).toArray();
    }

    public double median() {
        return Stats.median(values());
    }

    public double min() {
        return Stats.min(values());
    }

    public double max() {
        return Stats.max(values());
    }

    /** The interquartile range as {lower quartile, upper quartile}. */
    public double[] iqr() {
        return new double[] {Stats.quantile(values(), 0.25), Stats.quantile(values(), 0.75)};
    }

    /** Median over measured rounds of the CPU nanoseconds per op. */
    public double cpuMedian() {
        return Stats.median(cpu());
    }

    /** The 1-minute load averages at the start and the end, e.g. {@code "2.10 -> 3.40"}. */
    public String loadText() {
        return first(loadStart) + " -> " + first(loadEnd);
    }

    /**
     * One line: median, range, IQR, CPU per op, the cold round, the warm-up and the load; {@code f} formats a
     * figure (a rate or a duration).
     */
    public String text(DoubleFunction<String> f) {
        double[] q = iqr();
        return String.format(
                Locale.ROOT,
                "median %s over %d rounds (range %s - %s, IQR %s - %s), CPU %.2f µs/op; cold round %s at %.2f"
                        + " µs/op; %s; load %s",
                f.apply(median()),
                measured.size(),
                f.apply(min()),
                f.apply(max()),
                f.apply(q[0]),
                f.apply(q[1]),
                cpuMedian() / 1e3,
                f.apply(warmUp.cold().value()),
                warmUp.cold().cpuPerOp() / 1e3,
                warmUp.text(),
                loadText());
    }

    private static String first(String load) {
        int sp = load.indexOf(' ');
        return sp < 0 ? load : load.substring(0, sp);
    }
}
