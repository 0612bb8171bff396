package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether node --admin} on an address other than loopback, as a real process: refused at start without {@code
 * --admin-token-file}; with it, requests from that address need the token, and the dashboard is served to them.
 */
class AdminTokenProcessTest {
    private static final Pattern ADMIN = Pattern.compile(" admin=([0-9.]+:\\d+)");

    @TempDir
    Path dir;

    @Test
    void aNonLoopbackAdminNeedsATokenFileAndItsRequestsTheToken() throws Exception {
        String host = NonLoopback.address().getHostAddress();
        ChildJvm refused = CliProcess.start(
                "admin-no-token", "node", "--id", "a", "--admin", host + ":0", "--store-dir", dir.toString());
        assertThat(refused.awaitExit(CliProcess.TIMEOUT)).isEqualTo(2);
        assertThat(String.join("\n", refused.lines())).contains("without --admin-token-file");

        Path token = Files.writeString(dir.resolve("admin.token"), "process-token-0123456789\n");
        String[] ready = new String[1];
        ChildJvm node = CliProcess.node(
                "admin-token",
                ready,
                "--id",
                "a",
                "--admin",
                host + ":0",
                "--admin-token-file",
                token.toString(),
                "--store-dir",
                dir.toString());
        Matcher m = ADMIN.matcher(ready[0]);
        assertThat(m.find()).as(ready[0]).isTrue();
        String base = "http://" + m.group(1);
        HttpClient http = HttpClient.newHttpClient();
        assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/dashboard"))))
                .isEqualTo(401);
        assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/mgmt/topology"))))
                .isEqualTo(401);
        assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/dashboard?token=process-token-0123456789"))))
                .isEqualTo(200);
        assertThat(status(
                        http,
                        HttpRequest.newBuilder(URI.create(base + "/mgmt/topology"))
                                .header("Authorization", "Bearer process-token-0123456789")))
                .isEqualTo(200);
        assertThat(node.terminate(CliProcess.TIMEOUT)).isZero();
    }

    private static int status(HttpClient http, HttpRequest.Builder r) throws Exception {
        return http.send(r.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
