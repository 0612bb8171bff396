package dev.tether.bench.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * The measured rounds of two scenarios A and B taken in pairs, one round of each per pair in the same minute, and
 * what the pairs say about A against B. On a machine whose speed moves by more than 1.5x between minutes, two
 * scenarios measured one after the other compare the minutes as much as the scenarios; within a pair both rounds
 * see nearly the same machine, so the ratio A/B of each pair cancels most of what the minute did, and the spread of
 * those ratios over the pairs says how far the comparison holds. The pairs run in ABBA order ({@link #bFirst}):
 * A then B, B then A, and so on, so that neither side is always the one that runs second (after the other's
 * garbage, with the load the other left). Immutable.
 *
 * @param a A's measured rounds, pair by pair
 * @param b B's measured rounds, pair by pair; as many as {@code a}
 */
public record PairedRounds(List<Round> a, List<Round> b) {
    public PairedRounds {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException(
                    "pairs need as many rounds of A as of B, at least one: " + a.size() + " and " + b.size());
        }
        a = List.copyOf(a);
        b = List.copyOf(b);
    }

    /** True if pair {@code pair} (0-based) runs B's round first: the ABBA order, A first in pairs 0, 2, 4, ... */
    public static boolean bFirst(int pair) {
        return pair % 2 == 1;
    }

    public int pairs() {
        return a.size();
    }

    /** Per pair, A's CPU per op over B's. */
    public double[] cpuRatios() {
        return ratios(Round::cpuPerOp);
    }

    /** Per pair, A's figure (rate, or round-trip p50) over B's. */
    public double[] valueRatios() {
        return ratios(Round::value);
    }

    /** The CPU ratios summed up: lower CPU favours a side. */
    public RatioSummary cpu() {
        return RatioSummary.of(cpuRatios(), false);
    }

    /** The figures' ratios summed up: a higher figure favours a side if {@code higherIsBetter} (rates, not p50s). */
    public RatioSummary value(boolean higherIsBetter) {
        return RatioSummary.of(valueRatios(), higherIsBetter);
    }

    /**
     * One line per pair: its order, both rounds ({@code fa} and {@code fb} format A's and B's figures), the ratios
     * (of the figures too if {@code fa} and {@code fb} are the same kind of figure) and the load at the end of each
     * round, in the order they ran.
     */
    public List<String> lines(DoubleFunction<String> fa, DoubleFunction<String> fb, boolean compareFigures) {
        List<String> out = new ArrayList<>();
        double[] cpu = cpuRatios();
        double[] value = valueRatios();
        for (int i = 0; i < pairs(); i++) {
            Round x = a.get(i), y = b.get(i);
            boolean bFirst = bFirst(i);
            out.add(String.format(
                    Locale.ROOT,
                    "pair %d (%s): A %s at %.2f µs/op, B %s at %.2f µs/op; A/B CPU %.3fx%s; load %s, %s",
                    i + 1,
                    bFirst ? "B then A" : "A then B",
                    fa.apply(x.value()),
                    x.cpuPerOp() / 1e3,
                    fb.apply(y.value()),
                    y.cpuPerOp() / 1e3,
                    cpu[i],
                    compareFigures ? String.format(Locale.ROOT, ", figure %.3fx", value[i]) : "",
                    (bFirst ? y : x).load(),
                    (bFirst ? x : y).load()));
        }
        return out;
    }

    private double[] ratios(ToDoubleFunction<Round> figure) {
        double[] r = new double[pairs()];
        for (int i = 0; i < r.length; i++) {
            r[i] = figure.applyAsDouble(a.get(i)) / figure.applyAsDouble(b.get(i));
        }
        return r;
    }
}
