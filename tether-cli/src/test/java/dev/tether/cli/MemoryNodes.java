package dev.tether.cli;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;

/** Configurations of nodes that live in the test's JVM only: an in-memory network, store and durability. */
final class MemoryNodes {
    private MemoryNodes() {}

    /** Node {@code id} with {@code peer} as its one peer on {@code network}; add a handler and the rest, then build. */
    static TetherConfig.Builder builder(InMemoryNetwork network, String id, String peer) {
        return TetherConfig.builder(NodeId.of(id))
                .peers(NodeId.of(peer))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY);
    }
}
