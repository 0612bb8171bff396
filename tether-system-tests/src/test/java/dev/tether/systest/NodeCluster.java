package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import dev.tether.testkit.sim.CheckReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The node processes of one system test: each node is a {@link NodeWorkload} in its own child JVM, started,
 * SIGKILLed and restarted (a new run on the same store file) by the test; at the end {@link #finishAndCheck}
 * lets every node drain, stops them cleanly and checks the history of all runs with {@link MergedHistory}.
 * Files live in {@code target/system-tests/<name>-<seed>/} and stay there for inspection.
 *
 * <p>Not thread-safe: use from the test thread. {@link #close()} kills whatever still runs.
 */
final class NodeCluster implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern PROGRESS = Pattern.compile("progress accepted=(\\d+) delivered=(\\d+)");

    /** A progress line of the current run of a node. */
    record Progress(long accepted, long delivered) {
        static Progress parse(String line) {
            Matcher m = PROGRESS.matcher(line);
            return m.matches() ? new Progress(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))) : null;
        }
    }

    private final Path dir;
    private final long seed;
    private final Map<String, Integer> indexes = new LinkedHashMap<>();
    private final Map<String, Integer> runs = new HashMap<>();
    private final Map<String, ChildJvm> running = new LinkedHashMap<>();
    private final MergedHistory history;

    NodeCluster(String name, long seed) {
        this.seed = seed;
        this.dir = Path.of("target", "system-tests", name + "-" + seed).toAbsolutePath();
        deleteTree(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.history = new MergedHistory(dir);
    }

    Path dir() {
        return dir;
    }

    /**
     * Starts a new run of {@code node} with the workload arguments {@code args} (peers, transport, quota, rate)
     * and waits until it is ready.
     */
    ChildJvm start(String node, List<String> args) {
        assertThat(running).as("%s already running", node).doesNotContainKey(node);
        int index = indexes.computeIfAbsent(node, n -> indexes.size());
        int run = runs.merge(node, 1, Integer::sum) - 1;
        List<String> all = new ArrayList<>(List.of("dir=" + dir, "node=" + node, "index=" + index, "run=" + run));
        all.addAll(args);
        ChildJvm child = ChildJvm.builder(NodeWorkload.class)
                .name("node-" + node + "-run" + run)
                .heap("128m")
                .logDir(dir)
                .args(all)
                .start();
        running.put(node, child);
        history.addLog(dir.resolve("history-" + node + "-" + run + ".log"));
        child.awaitLine("ready"::equals, START_TIMEOUT);
        return child;
    }

    /** Waits until a progress line of {@code node}'s current run satisfies {@code condition}; returns it. */
    Progress awaitProgress(String node, Predicate<Progress> condition, Duration timeout) {
        String line = child(node)
                .awaitLine(
                        l -> {
                            Progress p = Progress.parse(l);
                            return p != null && condition.test(p);
                        },
                        timeout);
        return Progress.parse(line);
    }

    /** The last progress line {@code node}'s current run printed so far (zeros before the first). */
    Progress latest(String node) {
        List<String> lines = child(node).lines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            Progress p = Progress.parse(lines.get(i));
            if (p != null) return p;
        }
        return new Progress(0, 0);
    }

    /** SIGKILLs {@code node}'s process. */
    void kill(String node) {
        ChildJvm child = running.remove(node);
        int status = child.kill();
        assertThat(status).as("exit status of SIGKILLed %s", child).isEqualTo(ChildJvm.SIGKILL_EXIT);
        history.killed(node);
    }

    int kills() {
        return history.kills();
    }

    /**
     * Tells every running node to stop sending and drain, waits until all drained, stops them cleanly, and checks
     * the merged history of every run: it must be clean.
     */
    CheckReport finishAndCheck(int expectedCrashes) {
        for (String node : running.keySet()) touch("finish-" + node);
        for (Map.Entry<String, ChildJvm> e : running.entrySet()) {
            String line = e.getValue().awaitLine(l -> l.startsWith("drained") || l.startsWith("stuck"), DRAIN_TIMEOUT);
            assertThat(line).as("%s (seed %d)", e.getValue(), seed).startsWith("drained");
        }
        for (String node : running.keySet()) touch("exit-" + node);
        for (ChildJvm child : running.values()) {
            assertThat(child.awaitExit(Duration.ofMinutes(1)))
                    .as("exit status of %s", child)
                    .isZero();
        }
        running.clear();
        CheckReport report = history.check(NodeWorkload.PAYLOAD);
        System.out.println("system test seed " + seed + ": " + report);
        assertThat(report.clean())
                .as("history of seed %d (files in %s):%n%s", seed, dir, report)
                .isTrue();
        assertThat(report.totals().get("crashes")).isEqualTo((long) expectedCrashes);
        return report;
    }

    private ChildJvm child(String node) {
        ChildJvm c = running.get(node);
        assertThat(c).as("%s is not running", node).isNotNull();
        return c;
    }

    private void touch(String file) {
        try {
            Files.writeString(dir.resolve(file), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (ChildJvm c : running.values()) c.close();
        running.clear();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
