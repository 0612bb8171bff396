package dev.tether.transport.tcp;

import dev.tether.testkit.TransportContract;
import java.util.List;

/** The transport contract on the JDK's NIO sockets, the fallback where native epoll does not load. */
class TcpNioTransportContractTest extends TransportContract {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());

    static {
        System.out.println("TcpNioTransportContractTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @Override
    protected Fixture newFixture() {
        return new ProxiedCluster(SEED, List.of(A, B, C), b -> b.nativeEpoll(false));
    }
}
