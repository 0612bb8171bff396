package dev.tether.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An endpoint closed and registered again between two delivery runs of one stream gets the next run: the stream keeps
 * its endpoint from run to run ({@code StreamRouteMemo}), and a kept endpoint that was closed is never used (it is
 * closed before it leaves the endpoints' map, so the name is looked up again). Endpoint {@code in} is registered,
 * gets one message from {@code src} (one run of the stream {@code src -> in}), is closed; a new {@code in} with its own
 * handler then gets the next message, and so on: each message reaches the handler registered when it was sent.
 */
class EndpointReRegisteredBetweenRunsTest {
    private static final NodeId A = NodeId.of("a");
    private static final int ROUNDS = 20;
    private static final long WAIT_SECONDS = 30;

    @Test
    void eachRunReachesTheEndpointRegisteredNow() throws Exception {
        List<List<Long>> gotByRound = new ArrayList<>();
        try (TetherNode a = Tether.start(TetherConfig.builder(A)
                .transport(new InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build())) {
            Bus bus = Tether.bus(a);
            Endpoint src = bus.endpoint("src", d -> {});
            for (int r = 0; r < ROUNDS; r++) {
                List<Long> got = new ArrayList<>();
                gotByRound.add(got);
                Endpoint in = bus.endpoint("in", d -> {
                    synchronized (got) {
                        got.add(ByteBuffer.wrap(d.payloadBytes()).getLong());
                    }
                });
                Outcome o = src.send(
                                Address.of(A, "in"),
                                ByteBuffer.allocate(8).putLong(r).array())
                        .processed()
                        .get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertThat(o).as("round %d", r).isEqualTo(Outcome.PROCESSED);
                in.close();
            }
        }
        for (int r = 0; r < ROUNDS; r++) {
            List<Long> got = gotByRound.get(r);
            synchronized (got) {
                assertThat(got).as("the handler registered in round %d", r).containsExactly((long) r);
            }
        }
    }
}
