package dev.tether.bench.storage;

import java.util.Arrays;
import java.util.Locale;

/** Medians, ranges and percentiles of benchmark samples. */
final class Samples {
    private Samples() {}

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** The {@code p} quantile (0..1) of {@code sorted}, nearest rank. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
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
