package dev.tether.bench.storage;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How much CPU this JVM got over a stretch of wall time, in cores (2.0 = both cores of a 2-core machine the
 * whole time). On a shared machine it tells whether a slow round was slow because of Tether or because other
 * processes had the cores.
 */
final class CpuShare {
    private final long cpuStart;
    private final long wallStart;

    private CpuShare(long cpuStart, long wallStart) {
        this.cpuStart = cpuStart;
        this.wallStart = wallStart;
    }

    static CpuShare start() {
        return new CpuShare(processCpuNanos(), System.nanoTime());
    }

    /** "1.23 cores" since {@link #start}, or "unknown" where the JVM does not report process CPU time. */
    String sinceStart() {
        long cpu = processCpuNanos();
        if (cpu < 0 || cpuStart < 0) return "unknown CPU";
        double wall = System.nanoTime() - wallStart;
        return String.format(Locale.ROOT, "%.2f cores", (cpu - cpuStart) / wall);
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
