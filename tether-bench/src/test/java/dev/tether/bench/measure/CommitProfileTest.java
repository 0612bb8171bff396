package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.store.sqlite.SqliteStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where commit time goes: buckets, the scheduler's split, and the commits that ran SQLite's checkpoint. */
class CommitProfileTest {
    private static final NodeId PEER = NodeId.of("peer");

    @TempDir
    Path dir;

    @Test
    void commitsThatRunSqlitesAutomaticCheckpointAreToldApart() {
        Path file = dir.resolve("s.db");
        CommitProfile profile = new CommitProfile();
        int commits = 400; // 50 rows of 100 B: a few pages each, so SQLite's checkpoint at 1,000 pages runs a few times
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.OS_BUFFERED);
            profile.watch(file);
            long seq = 0;
            for (int i = 0; i < commits; i++) {
                WriteBatch b = new WriteBatch();
                for (int r = 0; r < 50; r++)
                    b.append(new StoredMessage(PEER, "lane", ++seq, 0, Map.of(), new byte[100], 0L, 1L));
                long[] before = profile.before();
                long start = System.nanoTime();
                store.commit(b);
                profile.after(before, System.nanoTime() - start);
            }
        }
        String line = profile.drain();
        long[] buckets =
                numbers(line, "commit-ms <=0.5/<=1/<=2/<=5/<=10/>10 (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+)");
        long sum = 0;
        for (long n : buckets) sum += n;
        assertThat(sum).as(line).isEqualTo(commits);
        assertThat(numbers(line, "; all (\\d+) x")[0]).as(line).isEqualTo(commits);
        long checkpointed = numbers(line, "with a checkpoint (\\d+)")[0];
        assertThat(checkpointed).as(line).isBetween(1L, commits / 10L);
        assertThat(numbers(line, "largest log (\\d+) frames")[0]).as(line).isBetween(1_000L, 2_000L);
        assertThat(profile.drain()).as("drained").contains("; all 0;");
    }

    @Test
    void aCommitSpentOnACpuIsCountedAsSlowAndAsCpuTime() {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/schedstat")), "no /proc");
        CommitProfile profile = new CommitProfile();
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long cpu0 = cpu.getCurrentThreadCpuTime();
        long[] before = profile.before();
        long start = System.nanoTime();
        long until = cpu.getCurrentThreadCpuTime() + 3_000_000; // a 3 ms "commit" that only computes
        long x = 0;
        while (cpu.getCurrentThreadCpuTime() < until) x += System.nanoTime() & 1;
        assertThat(x).isNotNegative();
        profile.after(before, System.nanoTime() - start);
        long cpuMicros = (cpu.getCurrentThreadCpuTime() - cpu0) / 1_000;
        String line = profile.drain();
        assertThat(numbers(line, "slow \\(>2 ms\\) (\\d+) x")[0]).as(line).isEqualTo(1);
        // The scheduler's CPU time of the commit is the thread's CPU time (the JVM's count), not its run-queue wait.
        assertThat(numbers(line, "; all 1 x \\d+us = cpu (\\d+) ")[0]).as(line).isBetween(cpuMicros - 500, cpuMicros);
        assertThat(line).as("no SQLite file watched").doesNotContain("checkpoint");
    }

    private static long[] numbers(String line, String regex) {
        Matcher m = Pattern.compile(regex).matcher(line);
        assertThat(m.find()).as(line + " has " + regex).isTrue();
        long[] n = new long[m.groupCount()];
        for (int i = 0; i < n.length; i++) n[i] = Long.parseLong(m.group(i + 1));
        return n;
    }
}
