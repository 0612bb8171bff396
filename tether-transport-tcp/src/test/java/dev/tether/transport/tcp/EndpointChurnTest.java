package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointHandler;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.NoSuchEndpointException;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Endpoint {@code b/bob} closed and registered again by another thread (seeded) while a remote
 * endpoint and a local one send to it. Durable: every message reaches bob once, in each sender's order, all PROCESSED.
 * Not durable: each message is PROCESSED (seen once, in order) or NO_SUCH_ENDPOINT (never seen), a local send to bob
 * while it is closed throws NoSuchEndpointException, and the bus counts exactly the refused ones.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EndpointChurnTest {
    private static final int EACH = 1_500;

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger churns = new java.util.concurrent.atomic.AtomicInteger();
    private final ExecutorService churn = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() throws InterruptedException {
        stop.set(true);
        churn.shutdown();
        churn.awaitTermination(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aDurableEndpointClosedAndRegisteredAgainUnderTrafficGetsEveryMessageOnceInOrder(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> got = new CopyOnWriteArrayList<>();
        Endpoint[] bob = new Endpoint[1];
        EndpointOptions durable = EndpointOptions.defaults().durable();
        Bus b = nodes.bus(1);
        bob[0] = b.endpoint("bob", durable, churning(b, bob, durable, got));
        List<SendReceipt> receipts = send(b, false);
        for (SendReceipt r : receipts) assertThat(EndpointNodes.outcome(r)).isEqualTo(Outcome.PROCESSED);
        assertThat(filter(got, 'a')).as("from a/alice").containsExactlyElementsOf(numbered('a'));
        assertThat(filter(got, 'c')).as("from b/carol").containsExactlyElementsOf(numbered('c'));
        assertThat(churns.get()).as("bob closed and registered again").isPositive();
        System.out.println("EndpointChurnTest durable " + net + ": " + churns + " churns");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void anEndpointClosedAndRegisteredAgainUnderTrafficSettlesEachMessageOnce(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> got = new CopyOnWriteArrayList<>();
        Endpoint[] bob = new Endpoint[1];
        EndpointOptions plain = EndpointOptions.defaults();
        Bus b = nodes.bus(1);
        bob[0] = b.endpoint("bob", plain, churning(b, bob, plain, got));
        List<SendReceipt> receipts = send(b, true);
        List<String> processed = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < receipts.size(); i++) {
            SendReceipt r = receipts.get(i);
            if (r == null) continue; // a local send refused at once
            Outcome o = EndpointNodes.outcome(r);
            String p = names.get(i);
            if (o == Outcome.PROCESSED) processed.add(p);
            else {
                assertThat(o).as(p).isEqualTo(Outcome.NO_SUCH_ENDPOINT);
                refused++;
            }
        }
        assertThat(got)
                .as("processed ones once each, none of the refused")
                .containsExactlyInAnyOrderElementsOf(processed);
        assertThat(filter(got, 'a')).as("a's in order").isSorted();
        assertThat(filter(got, 'c')).as("c's in order").isSorted();
        assertThat(b.noSuchEndpoint())
                .as("refused as NO_SUCH_ENDPOINT, counted")
                .isEqualTo((long) refused);
        assertThat(churns.get()).as("bob closed and registered again").isPositive();
        System.out.println("EndpointChurnTest plain " + net + ": " + churns + " churns, " + refused + " refused, "
                + receipts.stream().filter(r -> r == null).count() + " local sends refused at once");
    }

    /**
     * The handler of bob: records the payload and, after a seeded random one in 16 deliveries, has the churn thread
     * close bob and register it again (event-driven: no spinning, no sleeps). The last churn leaves bob registered.
     */
    private EndpointHandler churning(Bus b, Endpoint[] bob, EndpointOptions o, List<String> got) {
        Random random = new Random(fixture.seed());
        EndpointHandler[] self = new EndpointHandler[1];
        self[0] = d -> {
            got.add(EndpointNodes.text(d.payloadBytes()));
            boolean now;
            synchronized (random) {
                now = random.nextInt(16) == 0;
            }
            if (now && !stop.get()) {
                churn.execute(() -> {
                    bob[0].close();
                    bob[0] = b.endpoint("bob", o, self[0]);
                    churns.incrementAndGet();
                });
            }
        };
        return self[0];
    }

    /** EACH from a/alice (remote) and b/carol (local), interleaved; a refused local send leaves a null receipt. */
    private List<SendReceipt> send(Bus b, boolean localMayBeRefused) {
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Endpoint carol = b.endpoint("carol", d -> {});
        Address to = Address.of(EndpointNodes.B, "bob");
        List<SendReceipt> receipts = new ArrayList<>();
        names.clear();
        for (int i = 0; i < EACH; i++) {
            receipts.add(alice.send(to, EndpointNodes.utf8(pad('a', i))));
            names.add(pad('a', i));
            try {
                receipts.add(carol.send(to, EndpointNodes.utf8(pad('c', i))));
            } catch (NoSuchEndpointException e) {
                if (!localMayBeRefused) throw e;
                receipts.add(null);
            }
            names.add(pad('c', i));
        }
        return receipts;
    }

    private final List<String> names = new ArrayList<>();

    private static String pad(char who, int i) {
        return who + String.format("%05d", i);
    }

    private static List<String> numbered(char who) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < EACH; i++) l.add(pad(who, i));
        return l;
    }

    private static List<String> filter(List<String> got, char who) {
        return got.stream().filter(s -> s.charAt(0) == who).toList();
    }
}
