package dev.tether.transport.nats;

import dev.tether.NodeId;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.spi.Transport;
import dev.tether.testkit.TransportContract;
import dev.tether.transport.nats.NatsAuthorization.NodeUser;
import dev.tether.transport.nats.NatsTransportContractTest.NatsTransports;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport contract, unchanged, against a nats-server that enforces per-node permissions: every transport
 * authenticates with its node's nkey and declares identityEnforced, so everything the transport publishes and
 * subscribes to must lie within what {@link NatsAuthorization} grants (a refusal would be reported and break the
 * contract's checks). Each fixture has its own one-token prefix, so the generated block is made for a placeholder
 * prefix that then stands for any one token ({@code *}).
 */
class NatsEnforcedContractTest extends TransportContract {
    private static final AtomicInteger FIXTURES = new AtomicInteger();
    private static final String PLACEHOLDER = "PREFIXTOKEN";
    private static final Map<NodeId, Path> SEEDS = new ConcurrentHashMap<>();
    private static NatsServerProcess server;

    @TempDir
    static Path keys;

    @BeforeAll
    static void startServer() {
        List<NodeUser> users = new ArrayList<>();
        for (NodeId id : List.of(A, B, C)) {
            Path seed = keys.resolve(id + ".nk");
            users.add(NatsAuthorization.createSeedFile(id, seed));
            SEEDS.put(id, seed);
        }
        String block = NatsAuthorization.authorizationBlock(PLACEHOLDER, users).replace(PLACEHOLDER + ".", "*.");
        server = NatsServerProcess.builder().config(block).start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected Fixture newFixture() {
        String prefix = "enforced" + FIXTURES.incrementAndGet();
        Map<NodeId, NatsTransport> live = new ConcurrentHashMap<>();
        return new Fixture() {
            @Override
            public Transport newTransport(NodeId id) {
                NatsTransport t = NatsTransports.contract(server.url())
                        .prefix(prefix)
                        .nkey(SEEDS.get(id))
                        .identityEnforced(true)
                        .build();
                live.put(id, t);
                return t;
            }

            @Override
            public boolean supportsLinkControl() {
                return true;
            }

            @Override
            public void disconnect(NodeId a, NodeId b) {
                live.get(a).block(b);
                live.get(b).block(a);
            }

            @Override
            public void connect(NodeId a, NodeId b) {
                live.get(a).unblock(b);
                live.get(b).unblock(a);
            }

            @Override
            public void close() {
                for (NatsTransport t : live.values()) {
                    if (t.permissionViolations() != 0 || t.identityChecksFailed() != 0) {
                        throw new AssertionError("a transport acted outside its permissions: violations "
                                + t.permissionViolations() + ", failed identity checks " + t.identityChecksFailed());
                    }
                }
            }
        };
    }
}
