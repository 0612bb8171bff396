package dev.tether.bench.measure;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the collector's pauses did to a latency bench's probes during one phase: the pauses' total within the phase,
 * the longest, how many probes were in flight (sent, not yet handled) during some pause, and the p99 of the probes'
 * latencies with the pause time each one overlapped taken out, so a p99 splits into the part that is garbage collection
 * and the rest (queueing, scheduling, work). A probe held by a pause waited at least for the part of the pause it
 * overlapped; it may have waited longer for the work that piled up during the pause, which stays in the rest.
 *
 * @param pauses the pauses that overlapped the phase
 * @param pauseNanos their total within the phase
 * @param longestNanos the longest of them (whole)
 * @param probesHeld the probes in flight during a pause
 * @param p99Nanos the probes' p99 latency
 * @param p99WithoutPausesNanos the p99 of the probes' latencies minus the pause time each overlapped
 */
public record PausedProbes(
        int pauses, long pauseNanos, long longestNanos, int probesHeld, long p99Nanos, long p99WithoutPausesNanos) {

    /**
     * Measures the probes of a phase from {@code phaseStart} to {@code phaseEnd}; probe {@code i} was sent at {@code
     * sent[i]} and handled {@code latency[i]} later (all on the {@code System.nanoTime()} clock).
     */
    public static PausedProbes of(
            List<GcPauses.Pause> all, long phaseStart, long phaseEnd, long[] sent, long[] latency) {
        List<GcPauses.Pause> in = all.stream()
                .filter(p -> p.endNanos() > phaseStart && p.startNanos() < phaseEnd)
                .toList();
        long longest = in.stream().mapToLong(GcPauses.Pause::nanos).max().orElse(0);
        int held = 0;
        long[] without = new long[sent.length];
        for (int i = 0; i < sent.length; i++) {
            long o = GcPauses.overlap(in, sent[i], sent[i] + latency[i]);
            if (o > 0) held++;
            without[i] = latency[i] - o;
        }
        return new PausedProbes(
                in.size(), GcPauses.overlap(in, phaseStart, phaseEnd), longest, held, p99(latency), p99(without));
    }

    /** The 99th percentile (nearest rank) of {@code v}. */
    public static long p99(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.ceil(s.length * 0.99) - 1];
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "GC %d pauses, %,d ms (longest %,d ms), %d probes held by one, p99 without the pauses %,.0f µs",
                pauses,
                pauseNanos / 1_000_000,
                longestNanos / 1_000_000,
                probesHeld,
                p99WithoutPausesNanos / 1e3);
    }
}
