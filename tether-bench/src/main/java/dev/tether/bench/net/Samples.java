package dev.tether.bench.net;

import java.util.Arrays;

/** Percentiles and medians of measurements. Stateless; all methods are pure. */
final class Samples {
    private Samples() {}

    /** The {@code p} quantile (0..1) of {@code values}, by nearest rank; sorts a copy. */
    static long percentile(long[] values, double p) {
        if (values.length == 0) return 0;
        long[] s = values.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
