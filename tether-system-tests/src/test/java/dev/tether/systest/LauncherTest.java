package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The repository's {@code ./tether} launcher, run from another directory the way a user runs it: relative paths
 * in its arguments ({@code --config}, {@code --store-dir}) are the caller's, not the repository's. It runs the jar
 * this build made ({@code TETHER_JAR}), so the test never starts a build of its own.
 */
class LauncherTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAR = REPO.resolve("tether-cli/target/tether.jar");

    @Test
    void relativePathsAreResolvedAgainstTheCallersDirectory() throws Exception {
        assertThat(JAR)
                .as("built by tether-cli's package phase before these tests")
                .exists();
        Path caller = Files.createTempDirectory(
                Files.createDirectories(Path.of("target", "system-tests").toAbsolutePath()), "caller");
        String id = "launcher-" + ProcessHandle.current().pid();
        Files.writeString(caller.resolve("node.properties"), "id=" + id + "\nlisten=127.0.0.1:0\n");
        Path leaked = REPO.resolve("tether-" + id + ".db");

        ProcessBuilder pb = new ProcessBuilder(
                        "bash",
                        REPO.resolve("tether").toString(),
                        "node",
                        "--config",
                        "node.properties",
                        "--store-dir",
                        ".")
                .directory(caller.toFile())
                .redirectError(caller.resolve("node.err").toFile());
        pb.environment().put("TETHER_JAR", JAR.toString());
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Dtether.cache.dir=" + caller.resolve("cache"));
        Process p = pb.start();
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) out.add(l);
            } catch (IOException e) {
                out.add("(stdout failed: " + e + ")");
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            Await.until(
                    Cli.TIMEOUT,
                    () -> out.stream().anyMatch(l -> l.startsWith("ready ")) || !p.isAlive(),
                    () -> "ready");
            assertThat(out).as(Files.readString(caller.resolve("node.err"))).anyMatch(l -> l.startsWith("ready "));
            assertThat(out.get(0))
                    .startsWith("ready node=" + id)
                    .contains("store=" + caller.resolve("tether-" + id + ".db"));
            assertThat(caller.resolve("tether-" + id + ".db")).exists();
            assertThat(leaked).as("nothing written into the repository").doesNotExist();
        } finally {
            p.destroy();
            assertThat(p.waitFor(Cli.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isZero();
    }
}
