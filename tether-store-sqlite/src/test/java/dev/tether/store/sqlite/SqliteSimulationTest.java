package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.sim.SimConfig;
import dev.tether.testkit.sim.SimResult;
import dev.tether.testkit.sim.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deterministic simulation of {@code dev.tether.testkit.sim} with every node's state in a real SQLite file
 * ({@link SqliteStoreFactory}: OS_BUFFERED, crashes abandon the connection with the in-flight batch written but
 * not committed, injected commit failures roll back a written batch). The simulator still drives time; SQLite
 * I/O is synchronous inside it, so a seed replays exactly.
 *
 * <p>System properties: {@code tether.sim.sqlite.seeds} (the build passes 100, {@code -Psoak} 2000; 100 outside
 * Maven), {@code tether.sim.sqlite.baseSeed} (default 1) and {@code tether.sim.sqlite.seed} (run exactly this
 * seed, as printed by a failure).
 */
class SqliteSimulationTest {
    private static final int FAILURES_SHOWN = 3;

    @TempDir
    Path dir;

    private record Outcome(long seed, boolean ok, String description, Map<String, Long> totals) {}

    /** Runs {@code seed} in a fresh directory, deleted afterwards. */
    private Outcome run(long seed) {
        Path runDir = dir.resolve("seed-" + seed);
        try {
            Files.createDirectories(runDir);
            SqliteStoreFactory stores = new SqliteStoreFactory(runDir);
            SimResult r = new Simulation(SimConfig.random(seed), stores, false).run();
            Map<String, Long> totals = new TreeMap<>(r.counters());
            r.report().totals().forEach((k, v) -> totals.merge(k, v, Long::sum));
            totals.put("crashesMidCommit", (long) stores.crashesMidCommit());
            return new Outcome(seed, r.ok(), r.ok() ? "" : r.describe(), totals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(runDir);
        }
    }

    @Test
    void randomSeedsKeepEveryGuaranteeOverSqliteFiles() {
        Long single = Long.getLong("tether.sim.sqlite.seed");
        int seeds = single != null ? 1 : Integer.getInteger("tether.sim.sqlite.seeds", 100);
        long base = single != null ? single : Long.getLong("tether.sim.sqlite.baseSeed", 1);
        System.out.println("sqlite simulation: " + seeds + " seeds from base seed " + base
                + " (-Dtether.sim.sqlite.seed=N replays one)");
        long start = System.nanoTime();
        List<Outcome> outcomes = LongStream.range(base, base + seeds)
                .parallel()
                .mapToObj(this::run)
                .sorted(Comparator.comparingLong(Outcome::seed))
                .toList();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Long> totals = new TreeMap<>();
        for (Outcome o : outcomes) o.totals().forEach((k, v) -> totals.merge(k, v, Long::sum));
        System.out.printf("sqlite simulation: %d seeds in %.1f s; totals %s%n", seeds, seconds, totals);

        List<Outcome> failed = outcomes.stream().filter(o -> !o.ok()).toList();
        StringBuilder message = new StringBuilder();
        if (!failed.isEmpty()) {
            message.append(failed.size()).append(" of ").append(seeds).append(" seeds failed: ");
            message.append(failed.stream().map(Outcome::seed).toList());
            message.append(" (replay one with -Dtether.sim.sqlite.seed=N)");
            failed.stream()
                    .limit(FAILURES_SHOWN)
                    .forEach(o -> message.append("\n\n").append(o.description()));
            System.out.println(message);
        }
        assertThat(failed).as(message.toString()).isEmpty();
        if (seeds >= 50) {
            // Real stores must really have been crashed, mid-commit too, and have failed commits and reads.
            for (String exercised : List.of(
                    "faultCrash", "crashesMidCommit", "commitsFailed", "batchesPipelined", "loads", "committed")) {
                assertThat(totals.getOrDefault(exercised, 0L))
                        .as("total " + exercised)
                        .isPositive();
            }
        }
    }

    @Test
    void aSeedReplaysExactlyOverSqliteFiles() throws IOException {
        SimConfig cfg = SimConfig.random(42);
        SimResult first = runIn(dir.resolve("first"), cfg);
        SimResult second = runIn(dir.resolve("second"), cfg);
        assertThat(first.ok()).as(first.describe()).isTrue();
        assertThat(second.history()).isEqualTo(first.history());
        assertThat(second.counters()).isEqualTo(first.counters());
        assertThat(first.history().size()).isGreaterThan(100);
    }

    private static SimResult runIn(Path runDir, SimConfig cfg) throws IOException {
        Files.createDirectories(runDir);
        return new Simulation(cfg, new SqliteStoreFactory(runDir), false).run();
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
