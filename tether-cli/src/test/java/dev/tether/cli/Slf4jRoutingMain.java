package dev.tether.cli;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;

/**
 * Two in-memory nodes in a process of its own whose listener throws on {@code PeerConnected}, which the library
 * logs through {@code System.Logger}; prints {@code done} once node a counted the error. For {@link
 * Slf4jRoutingTest}, which runs it with SLF4J's bridge on the class path.
 */
public final class Slf4jRoutingMain {
    private Slf4jRoutingMain() {}

    public static void main(String[] args) {
        InMemoryNetwork network = new InMemoryNetwork();
        TetherNode a = start("a", "b", network);
        TetherNode b = start("b", "a", network);
        Await.until(Duration.ofSeconds(60), () -> a.stats().listenerErrors() > 0, () -> "a listener error counted");
        System.out.println("done");
        b.shutdown(Duration.ofSeconds(1));
        a.shutdown(Duration.ofSeconds(1));
    }

    private static TetherNode start(String id, String peer, InMemoryNetwork network) {
        return Tether.start(TetherConfig.builder(NodeId.of(id))
                .peers(NodeId.of(peer))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .listener(e -> {
                    if (e instanceof TetherEvent.PeerConnected) {
                        throw new IllegalStateException("a listener failing on purpose");
                    }
                })
                .build());
    }
}
