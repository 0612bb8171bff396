package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency keys across real crashes: {@link IdempotencyCrashWorkload} runs two nodes on SQLite files in a child
 * JVM, and every run sends the same keyed messages again (a retrying application). The test kills runs with
 * SIGKILL at seeded points, then lets a last run finish. Every key is then handled at least once, and at most once
 * without the redelivery flag: a second handling happens only when a kill prevented the commit of the first one's
 * cursor and key, and then it is flagged. {@code -Dtether.crash.seed=N} replays a kill schedule (printed).
 */
class IdempotencyCrashTest {
    private static final int KEYS = 400;
    private static final int KILLED_RUNS = 5;

    @TempDir
    Path dir;

    @Test
    void retriesOfKeyedMessagesAreHandledOnceAcrossSigkills() throws Exception {
        long seed = Long.getLong("tether.crash.seed", new SecureRandom().nextLong());
        System.out.println("IdempotencyCrashTest seed " + seed + " (replay with -Dtether.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int run = 0; run < KILLED_RUNS; run++) {
            long killAt = random.nextInt(KEYS / 2);
            try (ChildJvm child = child(run, false)) {
                child.awaitLine(
                        l -> l.startsWith("progress processed=") && Long.parseLong(l.split("[= ]")[2]) >= killAt,
                        Duration.ofSeconds(90));
                assertThat(child.kill()).as("seed %d run %d", seed, run).isEqualTo(ChildJvm.SIGKILL_EXIT);
            }
        }
        try (ChildJvm last = child(KILLED_RUNS, true)) {
            assertThat(last.awaitExit(Duration.ofMinutes(3)))
                    .as("seed %d: last run", seed)
                    .isZero();
        }

        Map<String, Integer> plain = new HashMap<>();
        Map<String, Integer> all = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("handled.log"))) {
            String key = line.split(" ")[0];
            all.merge(key, 1, Integer::sum);
            if (!line.endsWith(" redelivery")) plain.merge(key, 1, Integer::sum);
        }
        assertThat(all).as("seed %d: every key handled", seed).hasSize(KEYS);
        assertThat(plain.values())
                .as("seed %d: handled at most once unflagged", seed)
                .allMatch(n -> n == 1);
        System.out.println("IdempotencyCrashTest seed " + seed + ": "
                + all.values().stream().mapToInt(n -> n).sum() + " handlings of " + KEYS + " keys over "
                + (KILLED_RUNS + 1) + " runs");
    }

    private ChildJvm child(int run, boolean drain) {
        return ChildJvm.builder(IdempotencyCrashWorkload.class)
                .name("idempotency-crash-" + run)
                .heap("128m")
                .args(List.of(dir.toString(), Integer.toString(KEYS), Boolean.toString(drain)))
                .start();
    }
}
