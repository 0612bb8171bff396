package dev.tether.bench.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * CPU time used by the whole bench: this JVM plus every live descendant process (child JVMs, nats-server). On a
 * shared machine, wall-clock rates depend on what else runs; CPU per message does much less, so the table shows
 * both. Resolution is the kernel's clock tick (10 ms), so use it over rounds of a second or more. Thread-safe.
 *
 * <p>A paired run ({@code NetworkBench --paired}) keeps the child processes of two scenarios alive at once; the
 * thread that measures one of them names the other's processes with {@link #excludeOnThisThread}, so that what
 * those do meanwhile (an idle node's timers, a late JIT compilation) is not billed to this scenario's rounds.
 */
public final class CpuMeter {
    /** Descendant pids this thread's measurements leave out; empty unless a paired run set them. */
    private static final ThreadLocal<Set<Long>> EXCLUDED = ThreadLocal.withInitial(Set::of);

    private CpuMeter() {}

    /**
     * Leaves the processes {@code pids} out of what {@link #now()}, {@link #contextSwitches()} and {@link
     * ThreadSwitches#now()} count on the calling thread from now on (an empty set counts every descendant again).
     */
    public static void excludeOnThisThread(Set<Long> pids) {
        EXCLUDED.set(Set.copyOf(pids));
    }

    /** The live descendants of this JVM that the calling thread measures (all but the excluded ones). */
    static Stream<ProcessHandle> measuredDescendants() {
        Set<Long> excluded = EXCLUDED.get();
        return ProcessHandle.current().descendants().filter(p -> !excluded.contains(p.pid()));
    }

    /** This JVM's pid, then those of {@link #measuredDescendants()}. */
    static LongStream measuredPids() {
        return LongStream.concat(
                LongStream.of(ProcessHandle.current().pid()),
                measuredDescendants().mapToLong(ProcessHandle::pid));
    }

    /** Nanoseconds of CPU (user + system) used so far by this JVM and its live (not excluded) descendants. */
    public static long now() {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        total += measuredDescendants()
                .mapToLong(
                        p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
                .sum();
        return total;
    }

    /**
     * Context switches (voluntary and not) so far of the live threads of this JVM and its live descendants, read
     * from Linux's {@code /proc}; 0 where that is unavailable. Each handoff between threads that parks the
     * receiving one costs about one, so per message it counts the hops a message takes.
     */
    public static long contextSwitches() {
        return measuredPids().map(CpuMeter::switchesOf).sum();
    }

    private static long switchesOf(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.mapToLong(CpuMeter::switchesOfTask).sum();
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended meanwhile, or no /proc
        }
    }

    private static long switchesOfTask(Path task) {
        try {
            return Files.readAllLines(task.resolve("status"), StandardCharsets.US_ASCII).stream()
                    .filter(l -> l.contains("ctxt_switches:"))
                    .mapToLong(
                            l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim()))
                    .sum();
        } catch (IOException | RuntimeException e) {
            return 0; // the thread ended meanwhile
        }
    }
}
