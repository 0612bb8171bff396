package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.NoSuchEndpointException;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Durable endpoints and {@code waitForEndpoint} (docs/MESSAGING.md, "Endpoints"): messages for a durable endpoint that
 * is not registered wait at the head of their streams until it is registered again (also across a restart of its
 * node) or its name is forgotten; a message sent with a wait waits for the endpoint until its deadline. Two real nodes
 * with in-memory stores, on the in-memory transport and over TCP; local endpoints (loopback streams) and remote ones.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DurableEndpointTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    private static void await(java.util.function.BooleanSupplier condition) {
        Await.until(DEADLINE, condition, () -> "the messages reaching the endpoint's node");
    }

    private Bus bus(int i) {
        return nodes.bus(i);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Endpoint collector(Bus bus, String name, EndpointOptions o, List<String> got) {
        return bus.endpoint(name, o, d -> got.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
    }

    /** Node {@code i}'s inbound stream to its endpoint {@code agent} from {@code from} holds {@code n} messages. */
    private boolean arrived(int i, NodeId from, String agent, int n) {
        return nodes.node(i).stats().streams(from).stream()
                .anyMatch(s -> s.lane().equals("_a." + agent)
                        && s.direction() == dev.tether.StreamStats.Direction.INBOUND
                        && s.lastSeq() >= n);
    }

    /** Messages to a closed durable endpoint, local and remote, wait (in order) until it is registered again. */
    @ParameterizedTest
    @EnumSource(Net.class)
    void messagesForAClosedDurableEndpointWaitUntilItIsRegisteredAgain(Net net) {
        nodes = fixture.start(net);
        List<String> got = new CopyOnWriteArrayList<>();
        collector(bus(1), "bob", EndpointOptions.defaults().durable(), got).close();
        collector(bus(0), "carol", EndpointOptions.defaults().durable(), got).close();
        assertThat(bus(1).durableEndpoints()).containsExactly("bob");
        Address bob = Address.of(EndpointNodes.B, "bob");
        Address carol = Address.of(EndpointNodes.A, "carol");
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            receipts.add(bus(0).send(bob, utf8("r" + i))); // remote
            receipts.add(bus(0).send(carol, utf8("l" + i))); // local: accepted, not NoSuchEndpointException
        }
        await(() -> arrived(1, EndpointNodes.A, "bob", 50) && arrived(0, EndpointNodes.A, "carol", 50));
        assertThat(got).isEmpty();
        assertThat(receipts).noneMatch(r -> r.processed().isDone());
        collector(bus(1), "bob", EndpointOptions.defaults(), got);
        collector(bus(0), "carol", EndpointOptions.defaults(), got);
        for (SendReceipt r : receipts) assertThat(r.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(got.stream().filter(s -> s.startsWith("r"))).containsExactlyElementsOf(numbered("r", 50));
        assertThat(got.stream().filter(s -> s.startsWith("l"))).containsExactlyElementsOf(numbered("l", 50));
        assertThat(bus(0).noSuchEndpoint() + bus(1).noSuchEndpoint()).isZero();
    }

    private static List<String> numbered(String prefix, int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(prefix + i);
        return l;
    }

    /**
     * The name is stored: after a restart of its node, messages that reach it before the endpoint is registered again
     * wait for it (a non-durable one's are settled as NO_SUCH_ENDPOINT, the contrast).
     */
    @Test
    void aDurableNameSurvivesARestartAndItsMessagesWaitForTheRegistration() {
        nodes = fixture.start(Net.MEMORY);
        List<String> got = new CopyOnWriteArrayList<>();
        collector(bus(1), "bob", EndpointOptions.defaults().durable(), got);
        collector(bus(1), "eve", EndpointOptions.defaults(), got);
        TetherNode b = nodes.restart(1);
        assertThat(Tether.bus(b).durableEndpoints()).containsExactly("bob");
        assertThat(Tether.bus(b).endpoints()).isEmpty();
        List<SendReceipt> toBob = new ArrayList<>();
        for (int i = 0; i < 20; i++) toBob.add(bus(0).send(Address.of(EndpointNodes.B, "bob"), utf8("r" + i)));
        SendReceipt toEve = bus(0).send(Address.of(EndpointNodes.B, "eve"), utf8("e"));
        assertThat(toEve.processed().join()).isEqualTo(Outcome.NO_SUCH_ENDPOINT);
        await(() -> arrived(1, EndpointNodes.A, "bob", 20));
        assertThat(toBob).noneMatch(r -> r.processed().isDone());
        collector(Tether.bus(b), "bob", EndpointOptions.defaults(), got);
        for (SendReceipt r : toBob) assertThat(r.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(got).containsExactlyElementsOf(numbered("r", 20));
    }

    /** Forgetting a durable name settles what waits for it as NO_SUCH_ENDPOINT, and later messages too. */
    @ParameterizedTest
    @EnumSource(Net.class)
    void forgettingSettlesTheWaitingMessages(Net net) {
        nodes = fixture.start(net);
        List<String> got = new CopyOnWriteArrayList<>();
        collector(bus(1), "bob", EndpointOptions.defaults().durable(), got).close();
        Address bob = Address.of(EndpointNodes.B, "bob");
        SendReceipt waiting = bus(0).send(bob, utf8("x"));
        await(() -> arrived(1, EndpointNodes.A, "bob", 1));
        assertThat(bus(1).forget("bob")).isTrue();
        assertThat(waiting.processed().join()).isEqualTo(Outcome.NO_SUCH_ENDPOINT);
        assertThat(bus(1).durableEndpoints()).isEmpty();
        assertThat(bus(0).send(bob, utf8("y")).processed().join()).isEqualTo(Outcome.NO_SUCH_ENDPOINT);
        assertThat(bus(1).forget("bob")).isFalse();
        assertThat(got).isEmpty();
        // a call waiting for a forgotten endpoint fails as for a missing one
        collector(bus(1), "bob", EndpointOptions.defaults().durable(), got).close();
        CompletableFuture<?> call =
                bus(0).call(bob, "quote").timeout(Duration.ofSeconds(30)).request(utf8("q"));
        await(() -> arrived(1, EndpointNodes.A, "bob", 3));
        assertThat(bus(1).forget("bob")).isTrue();
        assertThatThrownBy(call::join).hasCauseInstanceOf(NoSuchEndpointException.class);
    }

    /** A message sent with a wait waits for a remote or local endpoint that is not registered yet. */
    @ParameterizedTest
    @EnumSource(Net.class)
    void aMessageSentWithAWaitWaitsForTheEndpoint(Net net) {
        nodes = fixture.start(net);
        List<String> got = new CopyOnWriteArrayList<>();
        Endpoint alice = bus(0).endpoint("alice", d -> {});
        SendReceipt remote = alice.send(Address.of(EndpointNodes.B, "bob"), utf8("hi"), Duration.ofSeconds(60));
        SendReceipt local = alice.send(Address.of(EndpointNodes.A, "carol"), utf8("lo"), Duration.ofSeconds(60));
        await(() -> arrived(1, EndpointNodes.A, "bob", 1) && arrived(0, EndpointNodes.A, "carol", 1));
        assertThat(remote.processed()).isNotDone();
        assertThat(local.processed()).isNotDone();
        List<String> from = new CopyOnWriteArrayList<>();
        bus(1).endpoint("bob", d -> {
            got.add(new String(d.payloadBytes(), StandardCharsets.UTF_8));
            from.add(d.fromAddress().toString());
        });
        collector(bus(0), "carol", EndpointOptions.defaults(), got);
        assertThat(remote.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(local.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(got).containsExactlyInAnyOrder("hi", "lo");
        assertThat(from).containsExactly("a/alice");
        // without a wait: settled at once
        assertThat(alice.send(Address.of(EndpointNodes.B, "dave"), utf8("x"))
                        .processed()
                        .join())
                .isEqualTo(Outcome.NO_SUCH_ENDPOINT);
    }

    /**
     * A call with waitForHandler() waits for the endpoint and then for its handler, and is answered once both are
     * registered (without the handler wait, an endpoint registered before its handler would answer the call
     * NoSuchHandlerException: the call layer's test covers that answer).
     */
    @Test
    void aCallThatWaitsForItsHandlerWaitsForTheEndpoint() {
        nodes = fixture.start(Net.TCP);
        Address bob = Address.of(EndpointNodes.B, "bob");
        CompletableFuture<dev.tether.Reply> reply = bus(0).call(bob, "quote")
                .timeout(Duration.ofSeconds(60))
                .waitForHandler()
                .request(utf8("q"));
        await(() -> arrived(1, EndpointNodes.A, "bob", 1));
        assertThat(reply).isNotDone();
        Endpoint e = bus(1).endpoint("bob", d -> {});
        assertThat(reply).isNotDone(); // the endpoint is there, its handler is not
        e.handle("quote", call -> utf8("42"));
        assertThat(new String(reply.join().payloadBytes(), StandardCharsets.UTF_8))
                .isEqualTo("42");
    }

    /** A wait that runs out expires the message; a zero or negative wait, or a node address, is refused. */
    @Test
    void aWaitThatRunsOutExpiresTheMessageAndBadWaitsAreRefused() {
        nodes = fixture.start(Net.MEMORY);
        SendReceipt r = bus(0).send(Address.of(EndpointNodes.B, "bob"), utf8("x"), Duration.ofMillis(300));
        assertThat(r.processed().join()).isEqualTo(Outcome.EXPIRED);
        Address bob = Address.of(EndpointNodes.B, "bob");
        assertThatThrownBy(() -> bus(0).send(bob, utf8("x"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("waitForEndpoint must be positive");
        assertThatThrownBy(() -> bus(0).send(bob, utf8("x"), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bus(0).send(new Address(EndpointNodes.B, null), utf8("x"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names a node");
        // a huge wait is capped, not an overflow
        assertThat(bus(0).send(bob, utf8("y"), Duration.ofDays(365 * 1000L))
                        .accepted()
                        .join())
                .isNotNull();
    }

    /** Bad input: invalid names, forgetting a registered endpoint, durable changes on the node thread. */
    @Test
    void badInputIsRefusedWithTheReasonAndTheNodeKeepsServing() {
        nodes = fixture.start(Net.MEMORY);
        assertThatThrownBy(() -> bus(1).forget("no.dots")).isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> bus(1).forget("_reserved")).isInstanceOf(IllegalArgumentException.class);
        Endpoint bob = bus(1).endpoint("bob", EndpointOptions.defaults().durable(), d -> {});
        assertThatThrownBy(() -> bus(1).forget("bob"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("close it before forgetting it");
        bob.close();
        // on the node thread (an onNodeThread endpoint's handler): a durable registration or a forget would wait for
        // the store, which that thread serves
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        bus(1).endpoint("probe", EndpointOptions.defaults().onNodeThread(), d -> {
            for (Runnable r : List.<Runnable>of(
                    () -> bus(1).endpoint("x", EndpointOptions.defaults().durable(), m -> {}),
                    () -> bus(1).forget("bob"))) {
                try {
                    r.run();
                } catch (IllegalStateException e) {
                    refused.add(e);
                }
            }
        });
        assertThat(bus(0).send(Address.of(EndpointNodes.B, "probe"), utf8("go"))
                        .processed()
                        .join())
                .isEqualTo(Outcome.PROCESSED);
        assertThat(refused).hasSize(2).allMatch(e -> e.getMessage().contains("on the node thread"));
        assertThat(bus(1).durableEndpoints()).containsExactly("bob");
        assertThat(bus(1).find("x")).isEmpty();
        // still serving
        List<String> got = new CopyOnWriteArrayList<>();
        collector(bus(1), "bob", EndpointOptions.defaults(), got);
        assertThat(bus(0).send(Address.of(EndpointNodes.B, "bob"), utf8("ok"))
                        .processed()
                        .join())
                .isEqualTo(Outcome.PROCESSED);
        assertThat(got).containsExactly("ok");
        // a durable registration refused for the bound leaves no stored name behind
        bus(1).maxEndpoints(bus(1).endpoints().size());
        assertThatThrownBy(
                        () -> bus(1).endpoint("full", EndpointOptions.defaults().durable(), d -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Bus.maxEndpoints");
        assertThat(bus(1).durableEndpoints()).containsExactly("bob");
    }
}
