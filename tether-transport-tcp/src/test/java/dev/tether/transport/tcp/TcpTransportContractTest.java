package dev.tether.transport.tcp;

import dev.tether.testkit.TransportContract;
import java.util.List;

/** The transport contract over real loopback sockets (native epoll on Linux), every link through a cutting proxy. */
class TcpTransportContractTest extends TransportContract {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());

    static {
        System.out.println("TcpTransportContractTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @Override
    protected Fixture newFixture() {
        return new ProxiedCluster(SEED, List.of(A, B, C), b -> b);
    }
}
