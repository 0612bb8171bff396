package dev.tether.transport.tcp;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.testkit.TransportContract;
import dev.tether.transport.CompositeTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The transport contract through a composite of two TCP members: the preferred one a {@link ProxiedCluster}'s (every
 * link through a cutting proxy), the fallback one listening where no node dials. The composite's listener calls then
 * run on the preferred member's I/O thread, its node executor, and {@code connect} routes {@code 0@} addresses to the
 * preferred member alone.
 */
class TcpCompositeContractTest extends TransportContract {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());

    static {
        System.out.println("TcpCompositeContractTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @Override
    protected Fixture newFixture() {
        ProxiedCluster cluster = new ProxiedCluster(SEED, List.of(A, B, C), b -> b);
        return new Fixture() {
            @Override
            public Transport newTransport(NodeId id) {
                TcpTransport idle = TcpTransport.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .build();
                return CompositeTransport.builder()
                        .member(cluster.newTransport(id))
                        .member(idle)
                        .switchBackAfter(Duration.ofMillis(50))
                        .build();
            }

            @Override
            public boolean supportsLinkControl() {
                return true;
            }

            @Override
            public void disconnect(NodeId a, NodeId b) {
                cluster.disconnect(a, b);
            }

            @Override
            public void connect(NodeId a, NodeId b) {
                cluster.connect(a, b);
            }

            @Override
            public List<String> addressesOf(NodeId to, NodeId from) {
                List<String> prefixed = new ArrayList<>();
                for (String a : cluster.addressesOf(to, from)) prefixed.add("0@" + a);
                return prefixed;
            }

            @Override
            public String unparsableAddress() {
                return cluster
                        .unparsableAddress(); // unprefixed: every member gets it, the preferred one refuses it first
            }

            @Override
            public void close() {
                cluster.close();
            }
        };
    }
}
