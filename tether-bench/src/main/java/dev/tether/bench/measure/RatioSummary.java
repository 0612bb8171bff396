package dev.tether.bench.measure;

import java.util.Locale;

/**
 * Per-pair ratios A/B of one figure ({@link PairedRounds}) summed up: their median and range, and how many pairs
 * favour each side. A ratio of exactly 1 favours neither. Immutable.
 *
 * @param median the median ratio (the mean of the middle two for an even count)
 * @param min the smallest ratio
 * @param max the largest ratio
 * @param favourA pairs in which A did better (a lower figure, or a higher one if higher is better)
 * @param favourB pairs in which B did better
 * @param ties pairs with a ratio of exactly 1
 */
public record RatioSummary(double median, double min, double max, int favourA, int favourB, int ties) {
    /** Sums up {@code ratios} (A/B, one per pair); {@code higherIsBetter} says which way a ratio above 1 points. */
    public static RatioSummary of(double[] ratios, boolean higherIsBetter) {
        if (ratios.length == 0) throw new IllegalArgumentException("no pairs");
        int above = 0, below = 0;
        for (double r : ratios) {
            if (r > 1) above++;
            else if (r < 1) below++;
        }
        int ties = ratios.length - above - below;
        return new RatioSummary(
                Stats.median(ratios),
                Stats.min(ratios),
                Stats.max(ratios),
                higherIsBetter ? above : below,
                higherIsBetter ? below : above,
                ties);
    }

    public int pairs() {
        return favourA + favourB + ties;
    }

    /** E.g. {@code "median 0.912x (range 0.850x - 1.040x); 5 of 6 pairs favour A, 1 B, 0 ties"}. */
    public String text() {
        return String.format(
                Locale.ROOT,
                "median %.3fx (range %.3fx - %.3fx); %d of %d pairs favour A, %d B, %d tie%s",
                median,
                min,
                max,
                favourA,
                pairs(),
                favourB,
                ties,
                ties == 1 ? "" : "s");
    }
}
