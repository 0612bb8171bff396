package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.node.Tether;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Control for the delivery run's route memo (RouteMemo, BusLayer.route with a memo): a run remembers the endpoint its
 * lane names from its first message; when that endpoint is closed and the name registered again in the middle of the
 * run, the run's next messages go to the endpoint registered now, none to the closed one (which would refuse them as
 * NO_SUCH_ENDPOINT). The first message is held until all are queued, so that messages 2-40 form one run.
 */
class EndpointReRegisteredMidRunTest {
    private static final NodeId A = NodeId.of("a");
    private static final int MESSAGES = 40;
    private static final int SWITCH_AT = 20;

    @Test
    void aRunsNextMessagesReachTheEndpointRegisteredAgainMidRun() throws Exception {
        try (Cluster c = new Cluster("a")) {
            Bus bus = Tether.bus(c.start("a"));
            List<String> first = new CopyOnWriteArrayList<>();
            List<String> second = new CopyOnWriteArrayList<>();
            CountDownLatch allQueued = new CountDownLatch(1);
            AtomicReference<Endpoint> bob = new AtomicReference<>();
            bob.set(bus.endpoint("bob", d -> {
                String text = new String(d.payloadBytes(), StandardCharsets.UTF_8);
                if (text.equals("m1")) allQueued.await(30, TimeUnit.SECONDS);
                first.add(text);
                if (text.equals("m" + SWITCH_AT)) { // closed and registered again between two messages of the run
                    bob.get().close();
                    bus.endpoint("bob", d2 -> second.add(new String(d2.payloadBytes(), StandardCharsets.UTF_8)));
                }
            }));
            Endpoint alice = bus.endpoint("alice", d -> {});
            List<SendReceipt> receipts = new ArrayList<>();
            for (int i = 1; i <= MESSAGES; i++) receipts.add(alice.send(Address.of(A, "bob"), utf8("m" + i)));
            for (SendReceipt r : receipts) r.accepted().get(10, TimeUnit.SECONDS);
            allQueued.countDown();
            for (SendReceipt r : receipts) {
                assertThat(r.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            }
            assertThat(first).containsExactlyElementsOf(Cluster.numbered("m", 1, SWITCH_AT + 1));
            assertThat(second).containsExactlyElementsOf(Cluster.numbered("m", SWITCH_AT + 1, MESSAGES + 1));
        }
    }
}
