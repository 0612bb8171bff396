package dev.tether.bench.storage;

import java.util.Arrays;

/** Send-to-handler latency percentiles of one run, in nanoseconds. */
record Latency(long p50, long p99, long p999, long max) {
    /** The percentiles of {@code nanos} (sorted in place). */
    static Latency of(long[] nanos) {
        Arrays.sort(nanos);
        return new Latency(
                Samples.percentile(nanos, 0.50),
                Samples.percentile(nanos, 0.99),
                Samples.percentile(nanos, 0.999),
                nanos.length == 0 ? 0 : nanos[nanos.length - 1]);
    }

    /** Per percentile, the median over {@code runs}. */
    static Latency median(Latency[] runs) {
        return new Latency(
                (long) Samples.median(
                        Arrays.stream(runs).mapToDouble(Latency::p50).toArray()),
                (long) Samples.median(
                        Arrays.stream(runs).mapToDouble(Latency::p99).toArray()),
                (long) Samples.median(
                        Arrays.stream(runs).mapToDouble(Latency::p999).toArray()),
                (long) Samples.median(
                        Arrays.stream(runs).mapToDouble(Latency::max).toArray()));
    }

    @Override
    public String toString() {
        return "p50 " + Samples.nanos(p50) + ", p99 " + Samples.nanos(p99) + ", p99.9 " + Samples.nanos(p999) + ", max "
                + Samples.nanos(max);
    }
}
