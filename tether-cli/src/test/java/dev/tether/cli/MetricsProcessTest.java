package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tether node --metrics}: real node processes scraped over HTTP while {@code tether send} feeds them. */
class MetricsProcessTest {
    private static final Pattern METRICS = Pattern.compile("metrics=(127\\.0\\.0\\.1:\\d+)");
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? \\S+");

    @TempDir
    Path dir;

    @Test
    void scrapesParseAndCountWhatFlows() throws Exception {
        String[] ready = new String[1];
        try (ChildJvm b = CliProcess.node(
                "metrics-b",
                ready,
                "--id",
                "b",
                "--peer",
                "a",
                "--store-dir",
                dir.toString(),
                "--metrics",
                "127.0.0.1:0")) {
            String metricsB = metricsAddress(ready[0]);
            int portB = CliProcess.port(ready[0]);
            try (ChildJvm a = CliProcess.node(
                    "metrics-a",
                    ready,
                    "--id",
                    "a",
                    "--peer",
                    "b=127.0.0.1:" + portB,
                    "--store-dir",
                    dir.toString(),
                    "--admin",
                    "127.0.0.1:0",
                    "--metrics",
                    "127.0.0.1:0")) {
                String metricsA = metricsAddress(ready[0]);
                String before = scrape(metricsB);
                assertWellFormed(before);
                assertThat(before).contains("tether_node_up{node=\"b\"} 1").contains("jvm_memory_used_bytes");

                Path lines = dir.resolve("lines.txt");
                Files.writeString(
                        lines,
                        IntStream.rangeClosed(1, 20)
                                .mapToObj(Integer::toString)
                                .collect(Collectors.joining("\n", "", "\n")));
                ChildJvm send = CliProcess.builder(
                                "metrics-send", "send", "--admin", CliProcess.admin(ready[0]), "--to", "b")
                        .stdin(lines)
                        .start();
                assertThat(send.awaitExit(CliProcess.TIMEOUT)).isZero();

                Await.until(
                        Duration.ofSeconds(60),
                        () -> value(scrape(metricsB), "tether_messages_delivered_total{node=\"b\"}") == 20,
                        () -> "b's scrape to count 20");
                String afterA = scrape(metricsA);
                assertWellFormed(afterA);
                assertThat(value(afterA, "tether_store_batch_messages_sum{node=\"a\"}"))
                        .isEqualTo(20);
                assertThat(value(afterA, "tether_store_commit_seconds_count{node=\"a\",result=\"ok\"}"))
                        .isPositive();
                assertThat(a.lines()).noneMatch(l -> l.contains("Exception"));
            }
            assertThat(b.lines()).noneMatch(l -> l.contains("Exception"));
        }
    }

    @Test
    void aMetricsAddressInUseIsAFailureNamingTheOption() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String address = "127.0.0.1:" + taken.getLocalPort();
            ChildJvm node = CliProcess.start(
                    "metrics-in-use",
                    "node",
                    "--id",
                    "a",
                    "--peer",
                    "b",
                    "--store-dir",
                    dir.toString(),
                    "--metrics",
                    address);
            // in use is a failure (1), as for --listen and --admin, not a bad value (2)
            assertThat(node.awaitExit(CliProcess.TIMEOUT)).isEqualTo(ExitCode.FAILURE);
            assertThat(String.join("\n", node.lines())).contains("--metrics " + address);
            try (var files = Files.list(dir)) {
                assertThat(files).as("nothing created by a start that failed").isEmpty();
            }
        }
    }

    private static String metricsAddress(String ready) {
        Matcher m = METRICS.matcher(ready);
        if (!m.find()) throw new AssertionError("no metrics address in " + ready);
        return m.group(1);
    }

    private static void assertWellFormed(String scrape) {
        for (String line : scrape.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            assertThat(line).as("a Prometheus sample line").matches(SAMPLE);
        }
    }

    /** The value of a series given exactly as the scrape prints it (labels in its order); NaN if absent. */
    private static double value(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
        }
        return Double.NaN;
    }

    private static String scrape(String hostPort) {
        String[] hp = hostPort.split(":");
        try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /metrics HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!response.startsWith("HTTP/1.1 200")) throw new AssertionError("scrape answered " + response);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        } catch (IOException e) {
            throw new AssertionError("cannot scrape " + hostPort, e);
        }
    }
}
