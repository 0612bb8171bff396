package dev.tether.bench.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * The warm-up rule every bench uses, in the manner of JMH's warm-up iterations but ending on evidence rather than
 * after a fixed count: run rounds of the same size as the measured ones and discard them until two consecutive
 * rounds differ by less than {@link #TOLERANCE} (10%) of the larger, at least two rounds (the cold one and one to
 * compare it with) and at most {@code maxWarmUp}; then measure {@code repeat} rounds. The first round of all is
 * the cold one (a fresh JVM or a fresh pair of nodes), reported separately. The JIT needs a few hundred thousand
 * messages to settle; on the quiet machine of issue 14 the TCP rounds went 344k, 452k, 1,179k msg/s, so a fixed
 * single warm-up round measured the JIT, not Tether. Confined to the calling thread.
 */
public final class Steady {
    /** Largest relative difference between two consecutive warm-up rounds that counts as steady. */
    public static final double TOLERANCE = 0.10;

    /** Warm-up rounds at most (the cold one included) in a full run. */
    public static final int MAX_WARM_UP = 6;

    /** Measured rounds of a full run (issue 14: at least 5). */
    public static final int REPEAT = 5;

    /** One round of a scenario. */
    @FunctionalInterface
    public interface RoundSource {
        Round next() throws Exception;
    }

    private Steady() {}

    /** True if {@code a} and {@code b} differ by less than {@link #TOLERANCE} of the larger. */
    public static boolean close(double a, double b) {
        double hi = Math.max(Math.abs(a), Math.abs(b));
        return hi == 0 || Math.abs(a - b) / hi < TOLERANCE;
    }

    /** Runs warm-up rounds by the rule, printing each as {@code label}; {@code maxWarmUp >= 1}. */
    public static WarmUp warmUp(String label, int maxWarmUp, DoubleFunction<String> f, RoundSource source)
            throws Exception {
        if (maxWarmUp < 1) throw new IllegalArgumentException("maxWarmUp must be >= 1, was " + maxWarmUp);
        List<Round> rounds = new ArrayList<>();
        boolean steady = false;
        while (rounds.size() < maxWarmUp && !steady) {
            Round r = source.next();
            rounds.add(r);
            print(label, rounds.size() == 1 ? "cold round" : "warm-up " + rounds.size(), r, f);
            int n = rounds.size();
            steady = n >= 2 && close(rounds.get(n - 2).value(), r.value());
        }
        WarmUp w = new WarmUp(rounds, steady);
        System.out.printf(Locale.ROOT, "  %s: %s%n", label, w.text());
        return w;
    }

    /** Warm-up by the rule, then {@code repeat} measured rounds; prints every round and the summary line. */
    public static Series run(String label, int maxWarmUp, int repeat, DoubleFunction<String> f, RoundSource source)
            throws Exception {
        if (repeat < 1) throw new IllegalArgumentException("repeat must be >= 1, was " + repeat);
        String loadStart = Load.now();
        WarmUp w = warmUp(label, maxWarmUp, f, source);
        List<Round> measured = new ArrayList<>();
        for (int i = 1; i <= repeat; i++) {
            Round r = source.next();
            measured.add(r);
            print(label, "round " + i, r, f);
        }
        Series s = new Series(w, measured, loadStart, Load.now());
        System.out.printf(Locale.ROOT, "  %s: %s%n", label, s.text(f));
        return s;
    }

    /** Prints one round as {@code label which: value, CPU, wall time, load}, the line of every round of every bench. */
    public static void print(String label, String which, Round r, DoubleFunction<String> f) {
        System.out.printf(
                Locale.ROOT,
                "  %s %s: %s, CPU %.2f µs/op, %.1f s, load %s%n",
                label,
                which,
                f.apply(r.value()),
                r.cpuPerOp() / 1e3,
                r.seconds(),
                r.load());
    }

    /** Formats a rate, e.g. {@code "123,456/s"}. */
    public static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }

    /** Formats nanoseconds as µs below 1 ms, ms above. */
    public static String nanos(double nanos) {
        double us = nanos / 1e3;
        if (us >= 10_000) return String.format(Locale.ROOT, "%.0f ms", us / 1e3);
        if (us >= 1_000) return String.format(Locale.ROOT, "%.1f ms", us / 1e3);
        return String.format(Locale.ROOT, "%.0f µs", us);
    }
}
