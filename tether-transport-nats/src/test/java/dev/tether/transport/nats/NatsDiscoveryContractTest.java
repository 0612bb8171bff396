package dev.tether.transport.nats;

import dev.tether.NodeId;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.spi.Discovery;
import dev.tether.testkit.DiscoveryContract;
import dev.tether.testkit.RecordingListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The discovery contract for NATS presence against a real nats-server: members are transports announcing
 * themselves on the test's prefix; a member leaves by closing its transport (its goodbye is a loss).
 */
class NatsDiscoveryContractTest extends DiscoveryContract {
    private static final AtomicInteger FIXTURES = new AtomicInteger();
    private static NatsServerProcess server;

    @BeforeAll
    static void startServer() {
        server = NatsServerProcess.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected Fixture newFixture() {
        String prefix = "presence" + FIXTURES.incrementAndGet();
        Map<NodeId, NatsTransport> members = new ConcurrentHashMap<>();
        List<NatsTransport> all = new CopyOnWriteArrayList<>();
        return new Fixture() {
            private NatsTransport started(NodeId id) {
                NatsTransport t = NatsTransportContractTest.NatsTransports.fast(server.url())
                        .prefix(prefix)
                        .build();
                t.start(id, new RecordingListener(id.value(), t.maxFrameBytes()));
                all.add(t);
                return t;
            }

            @Override
            public List<String> addMember(NodeId member) {
                members.put(member, started(member));
                return List.of();
            }

            @Override
            public Discovery discovery(NodeId self) {
                return started(self).discovery();
            }

            @Override
            public boolean reportsLoss() {
                return true;
            }

            @Override
            public void removeMember(NodeId member) {
                members.remove(member).close();
            }

            @Override
            public void close() {
                all.forEach(NatsTransport::close);
            }
        };
    }
}
