package dev.tether.bench.measure;

import java.lang.management.ManagementFactory;

/** The live heap of this JVM: what survives full collections, for the memory figures of the benches. Stateless. */
public final class LiveHeap {
    private LiveHeap() {}

    /** The smallest heap in use after each of five full GCs: what is live, not what waits for a collection. */
    public static long bytes() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
