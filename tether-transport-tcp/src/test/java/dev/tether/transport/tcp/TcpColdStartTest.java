package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cold JVM loads for its first connection (docs/TCP.md, "Cold start"): two nodes in a fresh child JVM connect
 * over TCP and deliver one message, and the child's class-loading log shows whether Netty's JFR event classes, and
 * with them the JDK's JFR metadata, were loaded on the way.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpColdStartTest {
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void aFirstConnectionLoadsNoJfrEventClassByDefault() throws IOException {
        List<String> loaded = firstDeliveryLoads();

        assertThat(loaded).noneMatch(l -> l.contains("io.netty.buffer.AllocateBufferEvent"));
        assertThat(loaded).noneMatch(l -> l.contains("jdk.jfr.internal.MetadataRepository"));
    }

    @Test
    void anApplicationThatEnablesNettysJfrEventsKeepsThem() throws IOException {
        List<String> loaded = firstDeliveryLoads("-Dio.netty.jfr.enabled=true");

        assertThat(loaded).anyMatch(l -> l.contains("io.netty.buffer.AllocateBufferEvent"));
    }

    /** Runs {@link TwoNodes} in a child JVM with {@code options}; returns its class-loading log. */
    private List<String> firstDeliveryLoads(String... options) throws IOException {
        Path log = dir.resolve("class-load.log");
        String[] jvm = new String[options.length + 1];
        System.arraycopy(options, 0, jvm, 0, options.length);
        jvm[options.length] = "-Xlog:class+load=info:file=" + log;
        try (ChildJvm child = ChildJvm.builder(TwoNodes.class)
                .jvmOptions(jvm)
                .heap("128m")
                .logDir(dir)
                .start()) {
            child.awaitLine(l -> l.equals("DELIVERED"), DEADLINE);
            assertThat(child.awaitExit(DEADLINE)).isZero();
        }
        List<String> loaded = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(loaded).anyMatch(l -> l.contains("dev.tether.transport.tcp.internal.WireHandler"));
        return loaded;
    }

    /** The child: nodes a and b in one JVM, a dials b; prints DELIVERED when b has a's message, then exits. */
    static final class TwoNodes {
        private TwoNodes() {}

        public static void main(String[] args) throws InterruptedException {
            InetAddress lo = InetAddress.getLoopbackAddress();
            NodeId a = NodeId.of("a");
            NodeId b = NodeId.of("b");
            CountDownLatch delivered = new CountDownLatch(1);
            TcpTransport atB =
                    TcpTransport.builder().listen(new InetSocketAddress(lo, 0)).build();
            TetherNode nodeB = Tether.start(TetherConfig.builder(b)
                    .peers(a)
                    .transport(atB)
                    .handler(d -> delivered.countDown())
                    .build());
            try (TetherNode nodeA = Tether.start(TetherConfig.builder(a)
                    .peers(b)
                    .transport(
                            TcpTransport.builder().peer(b, atB.boundAddress()).build())
                    .build())) {
                nodeA.send(b, "hello".getBytes(StandardCharsets.UTF_8));
                if (!delivered.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                    System.out.println("NOT DELIVERED");
                    System.exit(1);
                }
                System.out.println("DELIVERED");
            } finally {
                nodeB.close();
            }
        }
    }
}
