package dev.tether.bench.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How long this JVM's threads ran and how long they waited, runnable, for a CPU, from Linux's {@code
 * /proc/self/task/TID/schedstat} (time on a CPU and time on a run queue, in nanoseconds, exact: the scheduler's own
 * accounting, not ticks), between two snapshots. A message handed from thread to thread waits at each hop for the next
 * thread to get a CPU: on a machine with more runnable threads than cores that wait, not the order of any queue, can
 * make a latency. Threads are grouped by name ({@code /proc}'s, at most 15 characters) with trailing digits dropped;
 * threads that ended between the snapshots are not counted. Empty where there is no {@code /proc}.
 */
public final class RunQueueWait {
    /** Per thread id: its group and {on CPU, waiting on a run queue} in nanoseconds. */
    private final Map<String, String> groups;

    private final Map<String, long[]> times;

    private RunQueueWait(Map<String, String> groups, Map<String, long[]> times) {
        this.groups = groups;
        this.times = times;
    }

    /** Now, for this JVM's threads. */
    public static RunQueueWait now() {
        Map<String, String> groups = new HashMap<>();
        Map<String, long[]> times = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII)
                            .trim();
                    String[] f = Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII)
                            .trim()
                            .split("\\s+");
                    String tid = task.getFileName().toString();
                    groups.put(tid, group(name));
                    times.put(tid, new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
                } catch (IOException | RuntimeException ended) {
                    // the thread ended while listed, or no schedstat: not counted
                }
            });
        } catch (IOException | RuntimeException none) {
            // no /proc: empty
        }
        return new RunQueueWait(groups, times);
    }

    /** A thread's group: its name without trailing digits ({@code pool-1-thread-}, {@code GC Thread#}). */
    static String group(String threadName) {
        return threadName.replaceAll("[0-9]+$", "");
    }

    /**
     * Per group, {on CPU, waiting for a CPU} in nanoseconds from {@code earlier} to this snapshot, of the threads live
     * in both.
     */
    public Map<String, long[]> since(RunQueueWait earlier) {
        Map<String, long[]> d = new HashMap<>();
        times.forEach((tid, t) -> {
            long[] e = earlier.times.get(tid);
            if (e == null) return;
            long[] g = d.computeIfAbsent(groups.get(tid), k -> new long[2]);
            g[0] += t[0] - e[0];
            g[1] += t[1] - e[1];
        });
        return d;
    }
}
