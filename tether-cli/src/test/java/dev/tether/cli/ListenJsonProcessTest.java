package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Closer;
import dev.tether.testkit.process.ChildJvm;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether listen --json} as a real process: every line on its stdout is a JSON object, the ready line too
 * ({@code {"ready":true,...}}, what {@code tether demo} waits for), so a script can parse the output line by line.
 */
class ListenJsonProcessTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern PORT = Pattern.compile("\"transport\":\"tcp 127\\.0\\.0\\.1:(\\d+)\"");

    @TempDir
    Path dir;

    private final Closer open = new Closer();

    @AfterEach
    void closeAll() throws Exception {
        open.close();
    }

    @Test
    void everyLineOnStdoutIsAJsonObjectTheReadyLineToo() throws Exception {
        ChildJvm b = CliProcess.start(
                "listen-json",
                "listen",
                "--json",
                "--id",
                "b",
                "--listen",
                "127.0.0.1:0",
                "--peer",
                "a",
                "--store-dir",
                dir.toString(),
                "--admin",
                "127.0.0.1:0");
        open.add(b::close);
        String ready = b.awaitLine(l -> l.startsWith(NodeRunner.JSON_READY), CliProcess.TIMEOUT);
        assertThat(ready)
                .matches(
                        "\\{\"ready\":true,\"node\":\"b\",\"transport\":\"tcp 127\\.0\\.0\\.1:\\d+\",\"store\":\"[^\"]+"
                                + "tether-b\\.db\",\"durability\":\"FSYNC\",\"admin\":\"127\\.0\\.0\\.1:\\d+\","
                                + "\"peers\":\\[\"a\"\\],\"connected\":\\[\\],\"notYet\":\\[\"a\"\\]\\}");
        Matcher port = PORT.matcher(ready);
        assertThat(port.find()).isTrue();

        TetherNode a = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(TcpTransport.builder()
                        .peer(NodeId.of("b"), new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1))))
                        .build())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> {})
                .build());
        open.add(a);
        assertThat(a.send(NodeId.of("b"), "hello".getBytes(StandardCharsets.UTF_8))
                        .processed()
                        .get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        b.awaitLine(l -> l.startsWith("{\"from\":\"a\",\"lane\":\"default\",\"seq\":1,"), CliProcess.TIMEOUT);

        List<String> stdout =
                b.lines().stream().filter(l -> !l.startsWith("[err] ")).toList();
        assertThat(stdout).hasSize(2).allMatch(l -> l.startsWith("{\"") && l.endsWith("}"), "a JSON object");
    }
}
