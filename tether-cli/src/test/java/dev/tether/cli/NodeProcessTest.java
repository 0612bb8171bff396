package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tether node} as a real process: ready line, SIGTERM shuts it down gracefully. */
class NodeProcessTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void sigtermDrainsAndStopsTheNode() throws Exception {
        Path errLog = dir.resolve("node.err");
        List<String> out = new CopyOnWriteArrayList<>();
        Process p = start(out, errLog, "node", "--id", "a", "--peer", "b=127.0.0.1:1", "--store-dir", dir.toString());
        Await.until(DEADLINE, () -> out.stream().anyMatch(l -> l.startsWith("ready node=a")), () -> "ready: " + out);
        assertThat(out.get(0)).contains("store=" + dir.resolve("tether-a.db").toAbsolutePath(), "durability=FSYNC");

        p.destroy(); // SIGTERM
        assertThat(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("a graceful stop is a success").isZero();
        assertThat(Files.readString(errLog)).contains("stopped node a: drained");

        // The ownership lock file stays on purpose (docs/OPERATIONS.md); git ignores it like the store itself.
        List<String> left;
        try (var files = Files.list(dir)) {
            left = files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.equals("node.err"))
                    .sorted()
                    .toList();
        }
        assertThat(left).containsExactly("tether-a.db", "tether-a.db.lock");
        List<String> ignored = Files.readAllLines(rootGitignore()).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
        for (String name : left) {
            assertThat(ignored)
                    .as(name + " is ignored by git")
                    .anyMatch(glob -> FileSystems.getDefault()
                            .getPathMatcher("glob:" + glob)
                            .matches(Path.of(name)));
        }
    }

    /** The repository's .gitignore, found from any working directory (Maven's is the module, repeat-test's the root). */
    private static Path rootGitignore() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve(".ci")) && Files.isRegularFile(d.resolve(".gitignore")))
                return d.resolve(".gitignore");
        }
        throw new AssertionError(
                "no repository root (.ci and .gitignore) above " + Path.of("").toAbsolutePath());
    }

    private Process start(List<String> out, Path errLog, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Dtether.cache.dir=" + Path.of("target", "tether-cache").toAbsolutePath(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.to(errLog.toFile()))
                .start();
        processes.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) out.add(line);
            } catch (IOException e) {
                out.add("(stdout closed: " + e + ")");
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }
}
