package dev.tether.bench.net;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time used by the whole bench: this JVM plus every live descendant process (child JVMs, nats-server). On a
 * shared machine, wall-clock rates depend on what else runs; CPU per message does much less, so the table shows
 * both. Resolution is the kernel's clock tick (10 ms), so use it over rounds of a second or more. Thread-safe.
 */
final class CpuMeter {
    private CpuMeter() {}

    /** Nanoseconds of CPU (user + system) used so far by this JVM and its live descendants. */
    static long now() {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        total += ProcessHandle.current()
                .descendants()
                .mapToLong(
                        p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
                .sum();
        return total;
    }
}
