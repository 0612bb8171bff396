package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** docs/OPERATIONS.md: a store failure in the last 5 s makes the node not ready; an older one no longer does. */
class NodeControlTest {
    @Test
    void aRecentStoreFailureMakesTheNodeNotReadyForFiveSeconds() {
        try (TetherNode node = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .transport(new InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build())) {
            NodeControl control = new NodeControl(node, null, List.of(), false, false, NodeControl.ReadyPeers.NONE);
            AtomicLong nanos = new AtomicLong(1_000_000_000L);
            control.nanoTime = nanos::get;
            assertThat(control.notReady()).isEmpty();

            control.onEvent(new TetherEvent.StoreFailure("disk gone", 0));
            assertThat(control.notReady()).containsExactly("the store is failing: disk gone");
            nanos.addAndGet(Duration.ofMillis(4_999).toNanos());
            assertThat(control.notReady()).containsExactly("the store is failing: disk gone");
            nanos.addAndGet(Duration.ofMillis(1).toNanos());
            assertThat(control.notReady()).isEmpty();
        }
    }

    @Test
    void atStartTheConfiguredPeersWinOverStoredRuntimeAdditionsAndRemovals() {
        InMemoryStore store = new InMemoryStore();
        InMemoryNetwork network = new InMemoryNetwork();
        NodeId b = NodeId.of("b");
        NodeId c = NodeId.of("c");
        try (TetherNode node = start(network, store, b)) {
            node.removePeer(b);
            node.addPeer(c);
        }
        try (TetherNode node = start(network, store.reopenAfterCrash(), b)) {
            assertThat(node.peers()).extracting(PeerInfo::id).containsExactly(c); // as stored
            NodeControl control = new NodeControl(
                    node, null, List.of(new PeerSpec(b, null, null)), false, false, NodeControl.ReadyPeers.NONE);
            assertThat(control.applyConfiguredPeers())
                    .containsExactly(
                            "configured peers removed in an earlier run added again [b]",
                            "peers added in an earlier run and no longer configured removed [c]");
            assertThat(node.peers()).extracting(PeerInfo::id).containsExactly(b);
            assertThat(control.applyConfiguredPeers()).isEmpty();
        }
    }

    private static TetherNode start(InMemoryNetwork network, InMemoryStore store, NodeId peer) {
        return Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(peer)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.MEMORY)
                .build());
    }
}
