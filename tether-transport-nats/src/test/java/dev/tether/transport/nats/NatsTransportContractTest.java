package dev.tether.transport.nats;

import dev.tether.NodeId;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.spi.Transport;
import dev.tether.testkit.TransportContract;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The transport contract against a real nats-server. Each test gets its own subject prefix; link cuts are made by
 * both transports blocking each other (their links end and later ones get new ids).
 */
class NatsTransportContractTest extends TransportContract {
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
        String prefix = "contract" + FIXTURES.incrementAndGet();
        Map<NodeId, NatsTransport> live = new ConcurrentHashMap<>();
        return new Fixture() {
            @Override
            public Transport newTransport(NodeId id) {
                NatsTransport t =
                        NatsTransports.contract(server.url()).prefix(prefix).build();
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
            public void close() {}
        };
    }

    /** Shared settings of the tests: quick announcements so that peers find each other fast. */
    static final class NatsTransports {
        static NatsTransport.Builder fast(String... urls) {
            return NatsTransport.builder()
                    .servers(urls)
                    .announceInterval(Duration.ofMillis(100))
                    .peerTimeout(Duration.ofSeconds(2))
                    .reconnectWait(Duration.ofMillis(100));
        }

        /**
         * {@link #fast} with a peer timeout of 6 s: the contract tests cut links explicitly (block, close with a
         * goodbye), so silence is never what they wait for, while a 2 s silence can happen on a loaded machine (a
         * starved announcement timer) and would end a link in the middle of a test that expects it to stay up.
         */
        static NatsTransport.Builder contract(String... urls) {
            return fast(urls).peerTimeout(Duration.ofSeconds(6));
        }

        private NatsTransports() {}
    }
}
