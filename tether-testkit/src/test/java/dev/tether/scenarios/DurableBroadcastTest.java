package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.EndpointDelivery;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Broadcasts reach durable endpoints that are not registered (docs/MESSAGING.md, "Endpoints on channels"): their
 * copies are stored and wait, as channel copies do, and are delivered when the name is registered again, from this
 * node's endpoints and from another node; a registration that ignores broadcasts drops what waited.
 */
class DurableBroadcastTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final EndpointOptions DURABLE = EndpointOptions.defaults().durable();

    @Test
    void aDurableEndpointAwayGetsTheBroadcastsWhenRegisteredAgainUnlessItIgnoresThem() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            Bus bus = Tether.bus(b);
            bus.endpoint("away", DURABLE, d -> {}).close(); // durable, not registered now
            bus.endpoint("deaf", DURABLE, d -> {}).close();
            bus.endpoint("gone", d -> {}).close(); // not durable: nothing for it
            assertThat(Tether.bus(b)
                            .endpoint("x", d -> {})
                            .broadcast(utf8("local"))
                            .processed()
                            .get(10, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            Await.until(DEADLINE, () -> a.stats().connectedPeers().contains(NodeId.of("b")), () -> "a to b");
            Tether.bus(a).broadcast(utf8("remote")).processed().get(10, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> copies(b, "away") == 2 && copies(b, "deaf") == 2, () -> "copies: " + b.stats());
            assertThat(b.stats().streams()).noneMatch(s -> s.lane().equals("_e.gone"));

            List<String> atAway = new CopyOnWriteArrayList<>();
            bus.endpoint(
                    "away",
                    DURABLE,
                    d -> atAway.add(d.kind() + ":" + d.fromAddress() + ":"
                            + new String(d.payloadBytes(), StandardCharsets.UTF_8)));
            Await.until(DEADLINE, () -> atAway.size() == 2, () -> "away got " + atAway);
            assertThat(atAway)
                    .containsExactlyInAnyOrder(
                            EndpointDelivery.Kind.BROADCAST + ":" + Address.of(NodeId.of("b"), "x") + ":local",
                            EndpointDelivery.Kind.BROADCAST + ":" + new Address(NodeId.of("a"), null) + ":remote");

            List<String> atDeaf = new CopyOnWriteArrayList<>();
            bus.endpoint(
                    "deaf", DURABLE.ignoreBroadcasts(), d -> atDeaf.add(d.kind().name()));
            Await.until(DEADLINE, () -> settled(b, "deaf") == 2, () -> "deaf's copies settled: " + b.stats());
            assertThat(atDeaf).isEmpty();
        }
    }

    /** The copies stored for {@code agent} on its channel lane (the loopback stream's last number). */
    private static long copies(TetherNode n, String agent) {
        StreamStats s = n.stats().stream(n.id(), "_e." + agent, StreamStats.Direction.OUTBOUND);
        return s == null ? 0 : s.lastSeq();
    }

    /** The copies for {@code agent} settled (the loopback stream's acknowledged number). */
    private static long settled(TetherNode n, String agent) {
        StreamStats s = n.stats().stream(n.id(), "_e." + agent, StreamStats.Direction.OUTBOUND);
        return s == null ? 0 : s.cursor();
    }
}
