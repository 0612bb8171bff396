package dev.tether.bench.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Sleeps, preemptions and CPU of every live thread of this JVM and its descendant processes, from Linux's {@code
 * /proc}, between two snapshots: which thread of which process sleeps how often per round trip. A round trip's
 * hand-offs are its sleeps (a thread that waits for another one's work parks, and is woken), so per round trip the
 * voluntary switches of each thread count the hops it takes; involuntary ones count preemptions, which the load
 * decides. Threads are grouped by name with trailing digits dropped (the handler threads are one group); threads
 * that ended between the snapshots are not counted. CPU has the kernel's tick as resolution (10 ms): use rounds of
 * a second or more. Empty where there is no {@code /proc}.
 */
public final class ThreadSwitches {
    /** Per "pid/tid": the thread's group ("process: thread") and {voluntary, involuntary, user ticks, system ticks}. */
    private final Map<String, String> groups;

    private final Map<String, long[]> counts;

    private ThreadSwitches(Map<String, String> groups, Map<String, long[]> counts) {
        this.groups = groups;
        this.counts = counts;
    }

    /** Now, for this JVM and every live descendant (but those {@link CpuMeter#excludeOnThisThread} names). */
    public static ThreadSwitches now() {
        Map<String, String> groups = new HashMap<>();
        Map<String, long[]> counts = new HashMap<>();
        CpuMeter.measuredPids().forEach(pid -> read(pid, groups, counts));
        return new ThreadSwitches(groups, counts);
    }

    private static void read(long pid, Map<String, String> groups, Map<String, long[]> counts) {
        String process = processName(pid);
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long[] c = {0, 0, Long.parseLong(f[11]), Long.parseLong(f[12])};
                    for (String l : Files.readAllLines(task.resolve("status"), StandardCharsets.US_ASCII)) {
                        if (l.startsWith("voluntary_ctxt_switches:")) c[0] = value(l);
                        if (l.startsWith("nonvoluntary_ctxt_switches:")) c[1] = value(l);
                    }
                    String key = pid + "/" + task.getFileName();
                    groups.put(key, process + ": " + name.replaceAll("[0-9]+$", "#"));
                    counts.put(key, c);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException | RuntimeException e) {
            // the process ended meanwhile, or no /proc
        }
    }

    private static long value(String line) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
    }

    /** The process's main class without its package and its first argument (the role of a bench child), or its pid. */
    private static String processName(long pid) {
        try {
            String[] args = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8)
                    .split("\0");
            for (int i = 0; i < args.length; i++) {
                if (args[i].startsWith("dev.tether.")) {
                    String main = args[i].substring(args[i].lastIndexOf('.') + 1);
                    return i + 1 < args.length && !args[i + 1].startsWith("-") ? main + " " + args[i + 1] : main;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or no /proc
        }
        return "pid " + pid;
    }

    /**
     * Lines "process: thread  sleeps S  preempted P  CPU user U + system Y µs" per round trip since {@code before}, one
     * per thread group that switched at least once in 20 round trips, then the sum of sleeps and preemptions.
     */
    public List<String> perRoundTrip(ThreadSwitches before, long roundTrips) {
        Map<String, long[]> byGroup = new TreeMap<>();
        counts.forEach((key, c) -> {
            long[] b = before.counts.get(key);
            if (b == null) return; // started meanwhile: not measured over the whole round
            long[] sum = byGroup.computeIfAbsent(groups.get(key), g -> new long[4]);
            for (int i = 0; i < 4; i++) sum[i] += c[i] - b[i];
        });
        double n = Math.max(1, roundTrips);
        List<String> lines = new ArrayList<>();
        double sleeps = 0;
        double preempted = 0;
        for (Map.Entry<String, long[]> e : byGroup.entrySet()) {
            long[] s = e.getValue();
            sleeps += s[0] / n;
            preempted += s[1] / n;
            if ((s[0] + s[1]) / n < 0.05) continue;
            lines.add(String.format(
                    Locale.ROOT,
                    "%-44s sleeps %5.2f  preempted %5.2f  CPU user %6.1f + system %6.1f µs",
                    e.getKey(),
                    s[0] / n,
                    s[1] / n,
                    s[2] * 10_000.0 / n,
                    s[3] * 10_000.0 / n));
        }
        lines.add(String.format(
                Locale.ROOT, "all threads: sleeps %.2f, preempted %.2f per round trip", sleeps, preempted));
        return lines;
    }
}
