package dev.tether.bench.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time and allocated bytes of this JVM's threads, grouped by role, between two snapshots: which thread pays for a
 * message, and how many bytes it allocates (deterministic, unlike time on a shared machine). Java threads are read
 * from {@link com.sun.management.ThreadMXBean} (CPU in nanoseconds, bytes allocated); the collector's threads, which
 * are not Java threads, from Linux's {@code /proc} (CPU in clock ticks of 10 ms; none where there is no {@code
 * /proc}). A thread that ends between the snapshots is not counted: take them while the threads measured live.
 */
public final class ThreadCosts {
    /** Per thread id: {CPU nanoseconds, bytes allocated}; per collector thread name ("gc:" + name): {CPU, 0}. */
    private final Map<String, long[]> byThread;

    private final Map<String, String> roles;

    private ThreadCosts(Map<String, long[]> byThread, Map<String, String> roles) {
        this.byThread = byThread;
        this.roles = roles;
    }

    /**
     * Now; {@code node} names the node's thread (its other threads, {@code node + "-handler-"...}, are the handler
     * threads): roles node, handlers, sender (the calling thread), gc (the collector) and other.
     */
    public static ThreadCosts now(String node) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<String, long[]> m = new HashMap<>();
        Map<String, String> roles = new HashMap<>();
        long self = Thread.currentThread().getId();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long id = t.getId();
            long cpu = mx.getThreadCpuTime(id);
            long bytes = mx.getThreadAllocatedBytes(id);
            if (cpu < 0) continue;
            String key = "t" + id;
            m.put(key, new long[] {cpu, Math.max(0, bytes)});
            String name = t.getName();
            roles.put(
                    key,
                    id == self
                            ? "sender"
                            : name.equals(node) ? "node" : name.startsWith(node + "-handler") ? "handlers" : "other");
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (!name.startsWith("GC Thread") && !name.startsWith("G1 ")) return;
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    String key = "gc:" + task.getFileName();
                    m.put(key, new long[] {ticks * 10_000_000L, 0});
                    roles.put(key, "gc");
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException | RuntimeException e) {
            // no /proc: the collector's CPU is not shown
        }
        return new ThreadCosts(m, roles);
    }

    /**
     * What the threads used since {@code before}, per message of {@code messages}: bytes allocated by every Java
     * thread (and by the node thread alone), and CPU in microseconds by role.
     */
    public String perMessageSince(ThreadCosts before, long messages) {
        Map<String, Long> cpu = new HashMap<>();
        long bytes = 0;
        long nodeBytes = 0;
        for (Map.Entry<String, long[]> e : byThread.entrySet()) {
            long[] was = before.byThread.getOrDefault(e.getKey(), new long[2]);
            String role = roles.get(e.getKey());
            cpu.merge(role, e.getValue()[0] - was[0], Long::sum);
            bytes += e.getValue()[1] - was[1];
            if (role.equals("node")) nodeBytes += e.getValue()[1] - was[1];
        }
        double n = messages;
        return String.format(
                Locale.ROOT,
                "allocated %.0f B/msg (node thread %.0f); CPU/msg node thread %.3f µs, sender %.3f, handlers %.3f,"
                        + " collector %.3f, other %.3f",
                bytes / n,
                nodeBytes / n,
                cpu.getOrDefault("node", 0L) / n / 1e3,
                cpu.getOrDefault("sender", 0L) / n / 1e3,
                cpu.getOrDefault("handlers", 0L) / n / 1e3,
                cpu.getOrDefault("gc", 0L) / n / 1e3,
                cpu.getOrDefault("other", 0L) / n / 1e3);
    }
}
