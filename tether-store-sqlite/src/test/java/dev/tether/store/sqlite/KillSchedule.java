package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import java.util.function.Function;

/**
 * The seeded schedule of a crash test whose child JVM runs a workload towards a quota: {@code cycles} runs over the
 * same files, each SIGKILLed at a point drawn from the seed, then a last run that drains everything and exits 0. The
 * seed comes from {@code -Dtether.crash.seed} (else a random one) and is printed with how to replay it; the number
 * of killed runs from the test's own property.
 */
final class KillSchedule {
    private static final Duration KILL_POINT_TIMEOUT = Duration.ofSeconds(90);

    /** Starts run {@code run} of the workload: with {@code drain}, the last one, which sends nothing. */
    interface Workload {
        ChildJvm start(Path dir, int run, int quota, boolean drain);
    }

    private final String name;
    private final long seed = Long.getLong("tether.crash.seed", new SecureRandom().nextLong());
    private final int cycles;
    private final Random random = new Random(seed);

    /** A schedule for test {@code name}, whose number of killed runs is property {@code cyclesProperty} (default 6). */
    KillSchedule(String name, String cyclesProperty) {
        this.name = name;
        this.cycles = Integer.getInteger(cyclesProperty, 6);
        System.out.println(name + " crash test: seed " + seed + ", " + cycles + " killed runs (replay with"
                + " -Dtether.crash.seed=" + seed + ", more with -D" + cyclesProperty + "=N)");
    }

    long seed() {
        return seed;
    }

    /** {@code target/crash-tests/<name>-<seed>/}, empty. */
    Path freshDir() throws IOException {
        return CrashFiles.freshDir(name, seed);
    }

    /**
     * Runs the workload {@code cycles} times towards {@code quota}, each killed where {@code killPoint} draws from the
     * seeded random, then drains it: the drain run must exit 0 within 3 minutes.
     */
    void killThenDrain(Path dir, int quota, Function<Random, KillPoint> killPoint, Workload workload) {
        for (int run = 0; run < cycles; run++) {
            KillPoint kill = killPoint.apply(random);
            long started = System.nanoTime();
            try (ChildJvm child = workload.start(dir, run, quota, false)) {
                child.awaitLine(kill, KILL_POINT_TIMEOUT);
                assertThat(child.kill()).as("exit status of a SIGKILLed child").isEqualTo(ChildJvm.SIGKILL_EXIT);
            }
            System.out.printf(
                    "%s crash seed %d run %d: killed at %s %d, %d ms%n",
                    name, seed, run, kill.what(), kill.count(), (System.nanoTime() - started) / 1_000_000);
        }
        try (ChildJvm child = workload.start(dir, cycles, 0, true)) {
            assertThat(child.awaitExit(Duration.ofMinutes(3)))
                    .as("final run of seed %d should drain and exit 0 (%s)", seed, child.logFile())
                    .isZero();
        }
    }
}
