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
    /**
     * Per thread id: {CPU nanoseconds, bytes allocated}; per collector thread name ("gc:" + name): {CPU, 0}; per Linux
     * task of the sender, node and handler threads ("cs:" + task id): {0, 0, blocking waits}.
     */
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
        String selfTask = selfTask();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String role = taskRole(name, task.getFileName().toString().equals(selfTask), node);
                    if (role != null) {
                        String key = "cs:" + task.getFileName();
                        m.put(key, new long[] {0, 0, blockingWaits(task)});
                        roles.put(key, role);
                    }
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

    /** The Linux task id of the calling thread, or null where there is no {@code /proc}. */
    private static String selfTask() {
        try {
            return Path.of("/proc/thread-self").toRealPath().getFileName().toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The role of Linux task {@code name} (its name cut to 15 characters by the kernel) whose blocking waits are
     * counted, or null: the calling thread (sender), the node thread and its handler threads.
     */
    private static String taskRole(String name, boolean self, String node) {
        if (self) return "sender";
        if (name.equals(cut(node))) return "node";
        String handlers = cut(node + "-handler-");
        return name.startsWith(handlers) ? "handlers" : null;
    }

    private static String cut(String name) {
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    /**
     * Times task {@code task} gave up its processor to wait ({@code voluntary_ctxt_switches}): each is a park, a lock
     * or a sleep that did block, and most need another thread's wake-up (a system call) to end.
     */
    private static long blockingWaits(Path task) throws IOException {
        for (String line : Files.readAllLines(task.resolve("status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("voluntary_ctxt_switches:"))
                return Long.parseLong(line.substring(24).trim());
        }
        return 0;
    }

    /**
     * What the threads used since {@code before}, per message of {@code messages}: bytes allocated by every Java
     * thread, and CPU in microseconds by role.
     */
    public String perMessageSince(ThreadCosts before, long messages) {
        Map<String, Long> cpu = new HashMap<>();
        Map<String, Long> allocated = new HashMap<>();
        Map<String, Long> waits = new HashMap<>();
        long bytes = 0;
        for (Map.Entry<String, long[]> e : byThread.entrySet()) {
            long[] now = e.getValue();
            long[] was = before.byThread.getOrDefault(e.getKey(), new long[now.length]);
            String role = roles.get(e.getKey());
            if (now.length > 2) {
                waits.merge(role, now[2] - was[2], Long::sum);
                continue;
            }
            cpu.merge(role, now[0] - was[0], Long::sum);
            allocated.merge(role, now[1] - was[1], Long::sum);
            bytes += now[1] - was[1];
        }
        double n = messages;
        return String.format(
                        Locale.ROOT,
                        "allocated %.0f B/msg; CPU/msg node thread %.3f µs, sender %.3f, handlers %.3f, collector %.3f,"
                                + " other %.3f",
                        bytes / n,
                        cpu.getOrDefault("node", 0L) / n / 1e3,
                        cpu.getOrDefault("sender", 0L) / n / 1e3,
                        cpu.getOrDefault("handlers", 0L) / n / 1e3,
                        cpu.getOrDefault("gc", 0L) / n / 1e3,
                        cpu.getOrDefault("other", 0L) / n / 1e3)
                + String.format(
                        Locale.ROOT,
                        "; B/msg node thread %.0f, sender %.0f, handlers %.0f, other %.0f; blocking waits per 1,000"
                                + " msg node thread %.2f, sender %.2f, handlers %.2f",
                        allocated.getOrDefault("node", 0L) / n,
                        allocated.getOrDefault("sender", 0L) / n,
                        allocated.getOrDefault("handlers", 0L) / n,
                        allocated.getOrDefault("other", 0L) / n,
                        waits.getOrDefault("node", 0L) * 1000 / n,
                        waits.getOrDefault("sender", 0L) * 1000 / n,
                        waits.getOrDefault("handlers", 0L) * 1000 / n);
    }
}
