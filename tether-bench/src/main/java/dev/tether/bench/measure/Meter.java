package dev.tether.bench.measure;

/**
 * Times one round: wall time and the CPU of this JVM and its live descendants ({@link CpuMeter}) from {@link
 * #start} to {@link #round}. Confined to the thread that runs the round.
 */
public final class Meter {
    private final long cpuStart = CpuMeter.now();
    private final long wallStart = System.nanoTime();

    private Meter() {}

    public static Meter start() {
        return new Meter();
    }

    /** The round that ends now, with figure {@code value} over {@code ops} messages (or round trips). */
    public Round round(double value, long ops) {
        long wall = System.nanoTime() - wallStart;
        double cpu = (CpuMeter.now() - cpuStart) / (double) Math.max(1, ops);
        return new Round(value, cpu, wall / 1e9, Load.oneMinute());
    }

    /** A throughput round: {@code ops} per second over {@code nanos}, CPU per op since {@link #start}. */
    public Round rate(long ops, long nanos) {
        return round(ops * 1e9 / nanos, ops);
    }
}
