package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code tether node} without {@code --listen} (or with port 0) listens on a free loopback port; its {@code
 * ready} line must name that port, since it is the only way a script learns where peers can dial it.
 */
class CliReadyLineTest {
    private static final Pattern TCP = Pattern.compile("transport=tcp 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void readyLineNamesThePortActuallyBound() throws IOException {
        Path dir = Path.of("target", "system-tests", "cli-ready").toAbsolutePath();
        Files.createDirectories(dir);
        Path store = Files.createTempDirectory(dir, "store");
        try (ChildJvm node =
                Cli.node(dir, "cli-ready", List.of("--id", "a", "--peer", "b", "--store-dir", store.toString()))) {
            String ready = node.lines().stream()
                    .filter(l -> l.startsWith("ready node=a"))
                    .findFirst()
                    .orElseThrow();
            Matcher m = TCP.matcher(ready);
            assertThat(m.find()).as(ready).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(port).as(ready).isPositive();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                assertThat(s.isConnected()).isTrue();
            }
        }
    }
}
