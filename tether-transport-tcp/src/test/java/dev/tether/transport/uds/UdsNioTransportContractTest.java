package dev.tether.transport.uds;

import dev.tether.testkit.TransportContract;
import java.util.List;

/** The transport contract over Unix domain sockets on the JDK's NIO (Java 16+), the fallback where epoll does not load. */
class UdsNioTransportContractTest extends TransportContract {
    @Override
    protected Fixture newFixture() {
        return new ProxiedUdsCluster(List.of(A, B, C), b -> b.nativeEpoll(false));
    }
}
