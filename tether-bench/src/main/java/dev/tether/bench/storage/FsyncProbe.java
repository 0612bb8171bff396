package dev.tether.bench.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * The disk's own floor under any {@code FSYNC} latency: writes 4 KiB and forces it to disk ({@code fdatasync}),
 * {@code n} times, in a temporary file on the same file system as the benches' SQLite files, and prints the
 * distribution of the force times. No SQLite, no Tether. Single-threaded; the file is deleted afterwards.
 *
 * <pre>
 * java -cp tether-bench/target/tether-bench-0.1.0-SNAPSHOT.jar dev.tether.bench.storage.FsyncProbe [n=3000]
 * </pre>
 */
public final class FsyncProbe {
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 256;

    private FsyncProbe() {}

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        if (n < 1) throw new IllegalArgumentException("n must be positive, was " + n);
        System.out.println(run(n));
    }

    /** Runs {@code n} write-and-force steps and describes their force times. */
    static String run(int n) throws IOException {
        Path dir = Files.createTempDirectory("tether-fsync-probe-");
        Path file = dir.resolve("probe");
        long[] nanos = new long[n];
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            for (int i = 0; i < n; i++) {
                block.clear();
                ch.write(block, (long) (i % BLOCKS) * BLOCK);
                long t = System.nanoTime();
                ch.force(false);
                nanos[i] = System.nanoTime() - t;
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(nanos);
        return String.format(
                Locale.ROOT,
                "fsync probe: %d x (4 KiB write + fdatasync) in %.2f s (%.0f/s): p50 %.2f ms, p90 %.2f ms,"
                        + " p99 %.2f ms, p99.9 %.2f ms, max %.2f ms",
                n,
                seconds,
                n / seconds,
                at(nanos, 0.50),
                at(nanos, 0.90),
                at(nanos, 0.99),
                at(nanos, 0.999),
                nanos[n - 1] / 1e6);
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e6;
    }
}
