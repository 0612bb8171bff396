package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.store.sqlite.CrashWorkload.Mode;
import dev.tether.testkit.process.ChildJvm;
import dev.tether.testkit.process.HistoryLogReader;
import dev.tether.testkit.sim.CheckReport;
import dev.tether.testkit.sim.HistoryChecker;
import dev.tether.testkit.sim.HistoryEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Real crashes: {@link CrashWorkload} runs nodes a and b on SQLite files (FSYNC) in a child JVM, which the test
 * kills with SIGKILL at seeded points, many times over the same files; a last clean run drains everything, and
 * {@link HistoryChecker} then checks the history of all runs: nothing accepted is lost, order per stream, no
 * sequence number reused, and no message processed twice except a flagged redelivery of one whose cursor commit
 * the kill prevented.
 *
 * <p>{@code -Dtether.crash.seed=N} replays a kill schedule (the seed is printed), {@code -Dtether.crash.cycles=N}
 * sets the number of killed runs (default 8). The kill points are seeded; the threads inside the child are not,
 * so a seed replays where the kills happen (in messages accepted or delivered), not the exact interleaving.
 * Files stay in {@code target/crash-tests/} for inspection.
 */
class SqliteCrashTest {
    private static final Duration KILL_POINT_TIMEOUT = Duration.ofSeconds(90);

    private final long seed = Long.getLong("tether.crash.seed", new SecureRandom().nextLong());
    private final int cycles = Integer.getInteger("tether.crash.cycles", 8);
    private final Random random = new Random(seed);

    @Test
    void bothNodesKilledAtRandomPointsWhileSendingAndReceiving() throws IOException {
        int quota = 4_000;
        Path dir = freshDir("both");
        List<HistoryLogReader.Run> runs = new ArrayList<>();
        for (int run = 0; run < cycles; run++) {
            // Progress counts this run only: 3 streams of `quota` sends, as many deliveries.
            int r = random.nextInt(10);
            KillPoint kill = r == 0
                    ? new KillPoint("ready", 0)
                    : new KillPoint(r < 5 ? "accepted" : "delivered", 1 + random.nextInt(3 * quota - 1));
            runs.add(killedRun(dir, run, Mode.BOTH, quota, kill));
        }
        runs.add(drainRun(dir, cycles));
        check(runs, 2 * cycles);
    }

    @Test
    void senderKilledWithABacklogThenReceiverKilledWhileWorkingThroughIt() throws IOException {
        int quota = 10_000;
        Path dir = freshDir("backlog");
        List<HistoryLogReader.Run> runs = new ArrayList<>();
        long crashes = 0;
        for (int run = 0; run < cycles; run++) {
            boolean senderTurn = run % 2 == 0;
            // The sender's kill comes after at least half its quota, so the receiver always finds a backlog of at
            // least quota / 2 and its kill point (below that) is always reached.
            KillPoint kill = senderTurn
                    ? new KillPoint("accepted", quota / 2 + random.nextInt(2 * quota - quota / 2))
                    : new KillPoint("delivered", 1 + random.nextInt(quota / 2 - 1));
            runs.add(killedRun(dir, run, senderTurn ? Mode.SENDER_ONLY : Mode.RECEIVER_DRAIN, quota, kill));
            crashes += senderTurn ? 1 : 2; // b is not running while the sender builds its backlog
        }
        runs.add(drainRun(dir, cycles));
        check(runs, crashes);
    }

    private HistoryLogReader.Run killedRun(Path dir, int run, Mode mode, int quota, KillPoint kill) {
        long started = System.nanoTime();
        try (ChildJvm child = child(dir, run, mode, quota)) {
            child.awaitLine(kill, KILL_POINT_TIMEOUT);
            int status = child.kill();
            assertThat(status).as("exit status of a SIGKILLed child").isEqualTo(ChildJvm.SIGKILL_EXIT);
            System.out.printf(
                    "crash test seed %d run %d (%s): killed %s, %d ms%n",
                    seed, run, mode, kill, (System.nanoTime() - started) / 1_000_000);
        }
        List<String> nodes = mode == Mode.SENDER_ONLY ? List.of("a") : List.of("a", "b");
        return new HistoryLogReader.Run(dir.resolve("history-" + run + ".log"), nodes, true);
    }

    private HistoryLogReader.Run drainRun(Path dir, int run) {
        try (ChildJvm child = child(dir, run, Mode.DRAIN, 0)) {
            assertThat(child.awaitExit(Duration.ofMinutes(3)))
                    .as("final run of seed %d should drain and exit 0 (%s)", seed, child.logFile())
                    .isZero();
            System.out.println("crash test seed " + seed + " final run: "
                    + child.lines().stream()
                            .filter(l -> l.startsWith("drained"))
                            .findFirst()
                            .orElse("?"));
        }
        return new HistoryLogReader.Run(dir.resolve("history-" + run + ".log"), List.of("a", "b"), false);
    }

    private void check(List<HistoryLogReader.Run> runs, long expectedCrashes) {
        List<HistoryEvent> history = HistoryLogReader.read(runs, CrashWorkload.PAYLOAD);
        CheckReport report = HistoryChecker.check(history);
        System.out.println("crash test seed " + seed + ": " + report + ", processed twice (crash before the cursor"
                + " commit, flagged): " + processedTwice(history));
        assertThat(report.clean())
                .as("seed %d (replay with -Dtether.crash.seed=%d):%n%s", seed, seed, report)
                .isTrue();
        assertThat(report.totals().get("crashes")).isEqualTo(expectedCrashes);
        assertThat(report.totals().get("processed")).isPositive();
        assertThat(report.totals().get("processed"))
                .isGreaterThanOrEqualTo(report.totals().get("committed"));
    }

    /** Deliveries of a message its receiver had already processed: the at-least-once window the kills hit. */
    private static long processedTwice(List<HistoryEvent> history) {
        Set<HistoryEvent.Delivered> seen = new HashSet<>();
        long twice = 0;
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.Delivered d) {
                var key = new HistoryEvent.Delivered(
                        0, d.receiver(), d.sender(), d.lane(), d.seq(), d.msgId(), false, 0, true);
                if (!seen.add(key)) twice++;
            }
        }
        return twice;
    }

    private ChildJvm child(Path dir, int run, Mode mode, int quota) {
        return ChildJvm.builder(CrashWorkload.class)
                .name("crash-" + mode.name().toLowerCase() + "-" + run)
                .heap("128m")
                .args(dir.toString(), Integer.toString(run), mode.name(), Integer.toString(quota))
                .start();
    }

    private Path freshDir(String name) throws IOException {
        System.out.println("crash test " + name + ": seed " + seed + ", " + cycles
                + " killed runs (replay with -Dtether.crash.seed=" + seed + ", more with -Dtether.crash.cycles=N)");
        return CrashFiles.freshDir(name, seed);
    }
}
