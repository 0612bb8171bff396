package dev.tether.testkit;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.transport.CompositeTransport;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import java.util.List;

/**
 * Composite transports of two in-memory members, each on its own network, of which only one network ever links
 * nodes: the contract suite then runs through the composite over that member, with the other member started, idle
 * and its peers never up. Link control acts on the live network.
 */
final class CompositeFixture implements TransportContract.Fixture {
    private static final List<NodeId> SUITE_NODES = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));

    private final InMemoryNetwork[] networks = {new InMemoryNetwork(1 << 20), new InMemoryNetwork(2 << 20)};
    private final InMemoryNetwork live;

    /** A fixture whose member {@code liveMember} (0 preferred, 1 fallback) links the nodes. */
    CompositeFixture(int liveMember) {
        this.live = networks[liveMember];
        InMemoryNetwork dead = networks[1 - liveMember];
        for (NodeId x : SUITE_NODES) {
            for (NodeId y : SUITE_NODES) {
                if (!x.equals(y)) dead.disconnect(x, y);
            }
        }
    }

    @Override
    public Transport newTransport(NodeId id) {
        return CompositeTransport.builder()
                .member(networks[0].newTransport())
                .member(networks[1].newTransport())
                .switchBackAfter(Duration.ofMillis(50))
                .build();
    }

    @Override
    public boolean supportsLinkControl() {
        return true;
    }

    @Override
    public void disconnect(NodeId a, NodeId b) {
        live.disconnect(a, b);
    }

    @Override
    public void connect(NodeId a, NodeId b) {
        live.connect(a, b);
    }

    @Override
    public String unparsableAddress() {
        return "2@nowhere";
    }

    @Override
    public void close() {}
}
