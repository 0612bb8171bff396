package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "Using it as a library" example of README.md, kept compiling and working. Differences, for a test:
 * free ports instead of 7001/7002, a temporary store directory instead of the working directory, and println
 * replaced by a list.
 */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void readmeExampleWorks() {
        List<String> printed = new CopyOnWriteArrayList<>();
        TcpTransport bTransport = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        TetherNode b = Tether.start(TetherConfig.builder(NodeId.of("b"))
                .peers(NodeId.of("a"))
                .transport(bTransport)
                .storeDirectory(dir)
                .handler(d -> printed.add(d.from() + " #" + d.seq() + ": " + new String(d.payloadBytes())))
                .build());

        TetherNode a = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(TcpTransport.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .peer(NodeId.of("b"), bTransport.boundAddress())
                        .build())
                .storeDirectory(dir)
                .build());

        SendReceipt r = a.send(NodeId.of("b"), "orders", "hello".getBytes());
        r.accepted().join();
        assertThat(r.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(a.shutdown(Duration.ofSeconds(5)).drained()).isTrue();
        b.shutdown(Duration.ofSeconds(5));
        assertThat(printed).containsExactly("a #1: hello");
        assertThat(dir.resolve("tether-a.db")).exists();
        assertThat(dir.resolve("tether-b.db")).exists();
    }
}
