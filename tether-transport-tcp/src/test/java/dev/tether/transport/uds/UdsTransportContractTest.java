package dev.tether.transport.uds;

import dev.tether.testkit.TransportContract;
import java.util.List;

/** The transport contract over Unix domain sockets on native epoll (Linux), every link through a cutting proxy. */
class UdsTransportContractTest extends TransportContract {
    @Override
    protected Fixture newFixture() {
        return new ProxiedUdsCluster(List.of(A, B, C), b -> b);
    }
}
