package dev.tether.bench.net;

import dev.tether.bench.measure.Stats;
import java.util.Arrays;
import java.util.Locale;

/** Latency percentiles of one run, in nanoseconds. Immutable. */
record Latency(long p50, long p99, long max) {
    static final Latency NONE = new Latency(-1, -1, -1);

    /** The percentiles of {@code nanos} (sorted once, a copy). */
    static Latency of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Latency(
                Stats.percentileOfSorted(s, 0.50), Stats.percentileOfSorted(s, 0.99), Stats.percentileOfSorted(s, 1.0));
    }

    /** Parses the form written by {@link #wire()}. */
    static Latency parse(String p50, String p99, String max) {
        return new Latency(Long.parseLong(p50), Long.parseLong(p99), Long.parseLong(max));
    }

    String wire() {
        return p50 + " " + p99 + " " + max;
    }

    boolean measured() {
        return p50 >= 0;
    }

    /** "p50 / p99" in microseconds, or a dash when not measured. */
    String text() {
        return measured() ? micros(p50) + " / " + micros(p99) : "-";
    }

    static String micros(long nanos) {
        double us = nanos / 1e3;
        if (us >= 10_000) return String.format(Locale.ROOT, "%.0f ms", us / 1e3);
        if (us >= 1_000) return String.format(Locale.ROOT, "%.1f ms", us / 1e3);
        return String.format(Locale.ROOT, "%.0f µs", us);
    }
}
