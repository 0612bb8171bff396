package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations of a running {@code tether node} (docs/OPERATIONS.md): liveness and readiness, a reload of its
 * peers and log level from its {@code --config} file on SIGHUP and through {@code POST /reload}, JSON logs.
 */
class OperationsProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    @Test
    void readinessFollowsThePeersAndAReloadAppliesTheFileOrRefusesIt() throws Exception {
        int portB = CliProcess.freePort();
        Path config = dir.resolve("a.properties");
        writeConfig(config, "peer=b=127.0.0.1:" + portB, "log-level=info");
        String[] ready = new String[1];
        // SIGHUP handled even if this build runs under nohup, which would leave it ignored in the node
        try (ChildJvm a = CliProcess.node(
                CliProcess.builder("ops-a", "node").defaultSignal("HUP"),
                ready,
                "--config",
                config.toString(),
                "--admin",
                "127.0.0.1:0",
                "--ready-peers",
                "all",
                "--log-format",
                "json")) {
            String admin = CliProcess.admin(ready[0]);
            assertThat(get(admin, "/health/live")).isEqualTo(new Answer(200, "live"));
            Answer notReady = get(admin, "/health/ready");
            assertThat(notReady.status()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("not ready: peers not connected (--ready-peers all): [b]");

            try (ChildJvm b = CliProcess.node(
                    "ops-b",
                    new String[1],
                    "--id",
                    "b",
                    "--peer",
                    "a",
                    "--listen",
                    "127.0.0.1:" + portB,
                    "--store-dir",
                    dir.toString())) {
                Await.until(
                        WAIT, () -> get(admin, "/health/ready").status() == 200, () -> "a ready once " + b + " is up");
                assertThat(get(admin, "/health/ready?format=json").body()).isEqualTo("{\"ready\":true,\"reasons\":[]}");
                a.awaitLine(
                        l -> l.startsWith("[err] {") && l.contains("\"event\":\"PeerConnected\",\"peer\":\"b\""), WAIT);

                reloadBySignalThenRefuseThenReloadByRequest(a, admin, config, portB);
                Await.until(WAIT, () -> get(admin, "/health/ready").status() == 200, () -> "a ready with b again");
            }
            assertThat(a.lines().stream().filter(l -> !l.startsWith("ready node=")))
                    .as("every log line of a (stderr) is a JSON object")
                    .allMatch(l -> l.startsWith("[err] {\"time\":\"") && l.endsWith("}"));
        }
    }

    /** Swaps b for c on SIGHUP, refuses two invalid files changing nothing, swaps back through POST /reload. */
    private static void reloadBySignalThenRefuseThenReloadByRequest(ChildJvm a, String admin, Path config, int portB)
            throws Exception {
        writeConfig(config, "peer=c=127.0.0.1:" + CliProcess.freePort(), "log-level=debug");
        signal(a.pid(), "HUP");
        String reloaded = a.awaitLine(l -> l.contains("SIGHUP: reloaded"), WAIT);
        assertThat(reloaded)
                .contains("log level info -> debug")
                .contains("peers added [c]")
                .contains("peers removed [b]");
        assertThat(get(admin, "/health/ready").body())
                .contains("peers not connected")
                .contains("[c]");

        writeConfig(config, "peer=not an id!", "log-level=info");
        Answer refused = post(admin, "/reload");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).startsWith("reload refused, nothing changed: peer: ");
        writeConfig(config, "peer=b=127.0.0.1:" + portB, "log-level=loud");
        assertThat(post(admin, "/reload").body()).contains("unknown log level 'loud'");
        assertThat(get(admin, "/health/ready").body()).as("nothing changed").contains("[c]");

        writeConfig(config, "peer=b=127.0.0.1:" + portB, "log-level=info");
        Answer back = post(admin, "/reload");
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.body()).contains("peers added [b]").contains("peers removed [c]");
    }

    @Test
    void aNodeWithoutConfigFileHasNothingToReloadAndSaysWhenItCannotHandleSighup() throws Exception {
        String[] ready = new String[1];
        try (ChildJvm a = CliProcess.node(
                CliProcess.builder("ops-lone", "node").ignoreSignal("HUP"), // as nohup starts it
                ready,
                "--id",
                "lone",
                "--store-dir",
                dir.toString(),
                "--admin",
                "127.0.0.1:0")) {
            Await.until(
                    WAIT,
                    () -> a.lines().stream()
                            .anyMatch(l -> l.contains("WARN node lone: SIGHUP cannot be handled in this process")),
                    () -> "the warning that SIGHUP is ignored, in " + a.lines());
            String admin = CliProcess.admin(ready[0]);
            assertThat(post(admin, "/reload"))
                    .isEqualTo(new Answer(409, "nothing to reload: the node was started without --config"));
            assertThat(get(admin, "/health/ready")).isEqualTo(new Answer(200, "ready"));
            assertThat(get(admin, "/reload").status()).isEqualTo(405);
            assertThat(a.isAlive()).as("the node runs on").isTrue();
        }
    }

    private record Answer(int status, String body) {}

    /** Writes the whole file at once, so that a reload never reads half of it. */
    private static void writeConfig(Path file, String... lines) throws IOException {
        List<String> all = new java.util.ArrayList<>(List.of(lines));
        all.add("id=a");
        all.add("store-dir=" + file.getParent().toString().replace("\\", "\\\\"));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, all);
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void signal(long pid, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
                .inheritIO()
                .start();
        assertThat(kill.waitFor()).isZero();
    }

    private static Answer get(String admin, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://" + admin + path)).GET());
    }

    private static Answer post(String admin, String path) {
        return send(
                HttpRequest.newBuilder(URI.create("http://" + admin + path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r =
                    HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body().strip());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
