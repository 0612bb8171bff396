package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The frames the engine reads and drops (IgnoredFramesTest in tether-core, each path) reach {@link
 * NodeStats#framesIgnored}, apart from {@code framesFenced} and {@code protocolErrors}: a peer that sends DATA of a
 * stream it never opened has every such frame counted, and the node goes on serving the lanes it did open.
 */
class IgnoredFramesNodeTest {
    @Test
    void dataOfAStreamNeverOpenedIsCountedInFramesIgnored() throws Exception {
        InMemoryNetwork net = new InMemoryNetwork();
        NodeId a = NodeId.of("a");
        NodeId x = NodeId.of("x");
        List<String> handled = new CopyOnWriteArrayList<>();
        try (TetherNode node = RawPeer.startNode(net, a, x, handled)) {
            RawPeer peer = RawPeer.connect(net, x, a);
            byte[] payload = "m".getBytes(StandardCharsets.UTF_8);
            for (long seq = 1; seq <= 3; seq++) peer.data("unopened", seq, Map.of(), payload);
            peer.open("plain", 1); // frames arrive in order: once this one is handled, the others were dropped
            peer.data("plain", 1, Map.of(), payload);
            Await.until(Duration.ofSeconds(10), () -> handled.contains("plain"), () -> "handled " + handled);
            NodeStats s = node.stats();
            assertThat(s.framesIgnored())
                    .as("x's DATA frames before their stream's OPEN")
                    .isEqualTo(3);
            assertThat(s.framesFenced()).isZero();
            assertThat(s.protocolErrors()).isZero();
            assertThat(handled).containsExactly("plain");
        }
    }
}
