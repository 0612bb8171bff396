package dev.tether.bench.measure;

import java.util.Arrays;

/** Medians, quartiles, ranges and percentiles of benchmark samples. Stateless; every method but {@link #percentileOfSorted} sorts a copy. */
public final class Stats {
    private Stats() {}

    /** The median; the mean of the two middle values for an even count; NaN when empty. */
    public static double median(double[] v) {
        return quantile(v, 0.5);
    }

    /** The {@code p} quantile (0..1) by linear interpolation between closest ranks; NaN when empty. */
    public static double quantile(double[] v, double p) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = p * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    public static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    public static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** The {@code p} quantile (0..1) of {@code values} by nearest rank; 0 when empty. */
    public static long percentile(long[] values, double p) {
        long[] s = values.clone();
        Arrays.sort(s);
        return percentileOfSorted(s, p);
    }

    /** {@link #percentile} of values sorted already: several percentiles of one sample sort it once. */
    public static long percentileOfSorted(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
    }
}
