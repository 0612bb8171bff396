package dev.tether.bench.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a store's commit time goes, commit by commit, for {@link MeteredStore} when the child JVM runs with {@code
 * -Dtether.bench.commitProfile=true} (off by default: it reads a {@code /proc} file twice per commit). For each
 * commit: its wall time in buckets, and that time split into time on a CPU (the thread's CPU time), time runnable but
 * waiting for a CPU (the run queue, from Linux's per-thread scheduler accounting, {@code
 * /proc/thread-self/schedstat}) and the rest, blocked (in practice the fsync). Given the SQLite file, also whether
 * the commit ran a WAL checkpoint (SQLite's automatic one, in the committing connection), read from the WAL index:
 * the {@code nBackfill} field of the {@code -shm} file (sqlite.org/walformat.html, "the WAL-index header": offset 96,
 * native byte order) changes only when a checkpoint copies frames, and {@code mxFrame} (offset 16) is the log's size
 * in frames. Both are read without SQLite's locks, which is good enough for counting. Called by the store's thread;
 * {@link #drain} by the bench's, under this object's lock.
 */
final class CommitProfile {
    static final boolean ENABLED = Boolean.getBoolean("tether.bench.commitProfile");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
    private static final long[] BOUNDS_NANOS = {500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000};
    private static final long SLOW_NANOS = 2_000_000;

    private MappedByteBuffer walIndex;
    private final long[] buckets = new long[BOUNDS_NANOS.length + 1];
    /** {commits, wall, cpu, run queue} of all commits, of the slow ones and of those that checkpointed. */
    private final long[] all = new long[4];

    private final long[] slow = new long[4];
    private final long[] checkpointed = new long[4];
    private long largestLog;

    /** Also tells checkpoints apart, from the WAL index of the SQLite database {@code file} (open: the index exists). */
    synchronized void watch(Path file) {
        try (FileChannel ch = FileChannel.open(Path.of(file + "-shm"))) {
            walIndex = ch.map(FileChannel.MapMode.READ_ONLY, 0, 136);
            walIndex.order(ByteOrder.nativeOrder());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot map the WAL index of " + file, e);
        }
    }

    /** Before a commit: {on CPU, on a run queue, frames backfilled}. */
    long[] before() {
        long[] s = schedstat();
        return new long[] {s[0], s[1], backfilled()};
    }

    /** After a commit that took {@code wallNanos}, started at {@code before}. */
    synchronized void after(long[] before, long wallNanos) {
        long[] s = schedstat();
        long cpu = s[0] - before[0];
        long queued = s[1] - before[1];
        int b = 0;
        while (b < BOUNDS_NANOS.length && wallNanos > BOUNDS_NANOS[b]) b++;
        buckets[b]++;
        add(all, wallNanos, cpu, queued);
        if (wallNanos > SLOW_NANOS) add(slow, wallNanos, cpu, queued);
        long backfilled = backfilled();
        if (walIndex != null && backfilled != before[2] && backfilled != 0) add(checkpointed, wallNanos, cpu, queued);
        if (walIndex != null) largestLog = Math.max(largestLog, walIndex.getInt(16) & 0xffffffffL);
    }

    private static void add(long[] sums, long wall, long cpu, long queued) {
        sums[0]++;
        sums[1] += wall;
        sums[2] += cpu;
        sums[3] += queued;
    }

    /** The profile since the last call, as " profile: ..." to append to the store's line; empty when disabled. */
    synchronized String drain() {
        StringBuilder b = new StringBuilder(" profile: commit-ms");
        String[] names = {"<=0.5", "<=1", "<=2", "<=5", "<=10", ">10"};
        for (int i = 0; i < buckets.length; i++) b.append(i == 0 ? " " : "/").append(names[i]);
        for (int i = 0; i < buckets.length; i++) b.append(i == 0 ? " " : "/").append(buckets[i]);
        b.append("; all ").append(split(all)).append("; slow (>2 ms) ").append(split(slow));
        if (walIndex != null) {
            b.append("; with a checkpoint ").append(split(checkpointed)).append("; largest log ");
            b.append(largestLog).append(" frames");
        }
        java.util.Arrays.fill(buckets, 0);
        java.util.Arrays.fill(all, 0);
        java.util.Arrays.fill(slow, 0);
        java.util.Arrays.fill(checkpointed, 0);
        largestLog = 0;
        return b.toString();
    }

    /** "n x wall = cpu + run queue + blocked" in microseconds per commit. */
    private static String split(long[] s) {
        if (s[0] == 0) return "0";
        double n = s[0] * 1e3;
        return String.format(
                Locale.ROOT,
                "%d x %.0fus = cpu %.0f + run-queue %.0f + blocked %.0f",
                s[0],
                s[1] / n,
                s[2] / n,
                s[3] / n,
                (s[1] - s[2] - s[3]) / n);
    }

    private long backfilled() {
        return walIndex == null ? 0 : walIndex.getInt(96) & 0xffffffffL;
    }

    /** {on CPU, on a run queue} of the calling thread in nanoseconds; zeros without {@code /proc}. */
    private static long[] schedstat() {
        try {
            String[] f = Files.readString(SCHEDSTAT, StandardCharsets.US_ASCII)
                    .trim()
                    .split("\\s+");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException none) {
            return new long[2];
        }
    }
}
