package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeadLetterView;
import dev.tether.Durability;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bus.Action;
import dev.tether.bus.Rule;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A copy or forward grows by the route's headers ({@code :n}, {@code :r}); it is checked as a send is, and one that no
 * longer fits a message is dead-lettered with the rule's name and why, instead of being stored: before, a message of
 * exactly maxMessageBytes forwarded on overflowed the frame on the node thread (the stream to the target stopped for
 * good), and a peer's 65,530-byte trail became a header the frame wrote with a truncated length (the target refused
 * every retransmission).
 */
class RouteLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aForwardOfAMessageAtTheSizeLimitIsDeadLetteredAndTheForwardsAfterItArrive() throws Exception {
        InMemoryNetwork net = new InMemoryNetwork(64 << 10); // maxMessageBytes: the frame limit less its overhead
        NodeId a = NodeId.of("a".repeat(64));
        NodeId b = NodeId.of("b".repeat(64));
        NodeId c = NodeId.of("c".repeat(64));
        String rule = "f".repeat(64);
        List<Integer> atC = new CopyOnWriteArrayList<>();
        try (TetherNode nc = Tether.start(node(net, c, List.of(b), d -> atC.add(d.payloadBytes().length))
                        .build());
                TetherNode nb = Tether.start(node(net, b, List.of(a, c), null)
                        .rule(Rule.named(rule).action(Action.forward(c)))
                        .build());
                TetherNode na = Tether.start(node(net, a, List.of(b), null).build())) {
            int max = node(net, a, List.of(b), null).build().maxMessageBytes();
            String lane = "l".repeat(64);
            na.send(b, lane, new byte[max]).processed().get(30, TimeUnit.SECONDS);
            na.send(b, lane, new byte[10]).processed().get(30, TimeUnit.SECONDS);
            Await.until(WAIT, () -> atC.contains(10), () -> "c got " + atC);
            assertThat(atC).as("payload sizes c got").containsExactly(10);
            List<DeadLetterView> dead = nb.deadLetters(10);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason())
                    .startsWith("rule " + rule + ": forward(node:" + c + "): the routed message is too large: ")
                    .contains("exceeds maxMessageBytes " + max);
            assertThat(nc.stats().protocolErrors()).isZero();
        }
    }

    @Test
    void aTrailLongerThanAnyRouteMakesIsDeadLetteredAndTheForwardsAfterItArrive() throws Exception {
        InMemoryNetwork net = new InMemoryNetwork();
        NodeId b = NodeId.of("b");
        NodeId c = NodeId.of("c");
        NodeId x = NodeId.of("x");
        List<String> atC = new CopyOnWriteArrayList<>();
        try (TetherNode nc = Tether.start(node(net, c, List.of(b), d -> atC.add(text(d.payloadBytes())))
                        .build());
                TetherNode nb = Tether.start(node(net, b, List.of(c, x), null)
                        .rule(Rule.named("fwd").action(Action.forward(c)))
                        .build())) {
            RawPeer peer = RawPeer.connect(net, x, b);
            peer.open("orders", 2);
            peer.data("orders", 1, Map.of(":r", "x".repeat(65_530)), "poison".getBytes(StandardCharsets.UTF_8));
            peer.data("orders", 2, Map.of(), "next".getBytes(StandardCharsets.UTF_8));
            Await.until(WAIT, () -> atC.contains("next"), () -> "c got " + atC);
            assertThat(atC).containsExactly("next");
            assertThat(nb.deadLetters(10))
                    .singleElement()
                    .satisfies(d -> assertThat(d.reason())
                            .isEqualTo("rule fwd: invalid route trail header ':r': longer than 1137 characters"));
            assertThat(nc.stats().protocolErrors()).isZero();
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static TetherConfig.Builder node(InMemoryNetwork net, NodeId id, List<NodeId> peers, MessageHandler h) {
        TetherConfig.Builder b = TetherConfig.builder(id)
                .peers(peers)
                .transport(net.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .retransmitTimeout(Duration.ofMillis(50), Duration.ofMillis(500));
        return h == null ? b : b.handler(h);
    }
}
