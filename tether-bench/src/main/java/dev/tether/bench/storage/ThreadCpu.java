package dev.tether.bench.storage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of live threads by name, so a run can say where its CPU went (the store writer thread, the node
 * thread, the senders). Threads that ended are not counted; callers read it before shutting nodes down.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {}

    /** Total CPU nanoseconds of live threads named exactly {@code name}; 0 where the JVM does not measure it. */
    static long ofThreadNamed(String name) {
        if (!THREADS.isThreadCpuTimeSupported()) return 0;
        long total = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals(name))
                total += Math.max(0, THREADS.getThreadCpuTime(t.getThreadId()));
        }
        return total;
    }

    /** CPU nanoseconds of the calling thread so far; 0 where the JVM does not measure it. */
    static long ofCurrentThread() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }
}
