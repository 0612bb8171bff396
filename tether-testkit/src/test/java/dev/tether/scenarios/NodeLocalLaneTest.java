package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's channel lane {@code _e.<agent>} and the publish lane {@code _ep} are this node's own loopback lanes:
 * their reserved headers ({@code :o} publisher, {@code :ch} channel) are trusted because only the node writes them. A
 * peer that opens a stream there would pose as any node's channel publisher, past writer lists and kicks; its frames
 * are refused as protocol errors, and the node goes on serving the peer's other lanes.
 */
class NodeLocalLaneTest {
    @Test
    void aPeerCannotPoseAsAChannelPublisherOnAnEndpointsChannelLane() throws Exception {
        InMemoryNetwork net = new InMemoryNetwork();
        NodeId a = NodeId.of("a");
        NodeId x = NodeId.of("x");
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        try (TetherNode node = RawPeer.startNode(net, a, x, handled)) {
            Tether.bus(node).endpoint("bob", d -> seen.add(d.kind() + " " + d.channel() + " from " + d.fromAddress()));
            RawPeer peer = RawPeer.connect(net, x, a);
            Map<String, String> forged = Map.of(":o", "trusted", ":f", "ceo", ":ch", "orders");
            byte[] payload = "wire the money".getBytes(StandardCharsets.UTF_8);
            for (String lane : List.of("_e.bob", "_ep")) {
                peer.open(lane, 1);
                peer.data(lane, 1, forged, payload);
            }
            peer.open("plain", 1); // frames arrive in order: once this one is handled, the forged ones were refused
            peer.data("plain", 1, Map.of(), payload);
            Await.until(Duration.ofSeconds(10), () -> handled.contains("plain"), () -> "handled " + handled);
            assertThat(seen)
                    .as("what bob was told about peer x's messages on its channel lane")
                    .isEmpty();
            assertThat(node.stats().protocolErrors())
                    .as("x's OPEN and DATA frames on the two lanes")
                    .isEqualTo(4);
            assertThat(node.stats().streams().stream()
                            .filter(s -> s.lane().startsWith("_e") && s.peer().equals(x)))
                    .as("streams opened for x on a node-local lane")
                    .isEmpty();
        }
    }
}
