package dev.tether.bench.storage;

import dev.tether.bench.measure.Stats;
import java.util.Locale;

/** Medians, ranges and percentiles of benchmark samples ({@link Stats}), and their formats in this bench's output. */
final class Samples {
    private Samples() {}

    static double median(double[] v) {
        return Stats.median(v);
    }

    static double min(double[] v) {
        return Stats.min(v);
    }

    static double max(double[] v) {
        return Stats.max(v);
    }

    /** The {@code p} quantile (0..1) of {@code values}, nearest rank. */
    static long percentile(long[] values, double p) {
        return Stats.percentile(values, p);
    }

    /** "median (min-max)" of rates, rounded to whole units with thousands separators. */
    static String rate(double[] v) {
        return String.format(Locale.ROOT, "%,.0f (%,.0f-%,.0f)", median(v), min(v), max(v));
    }

    /** A duration in nanoseconds as microseconds below 10 ms, milliseconds above. */
    static String nanos(double nanos) {
        return nanos < 10_000_000
                ? String.format(Locale.ROOT, "%.0f µs", nanos / 1e3)
                : String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
