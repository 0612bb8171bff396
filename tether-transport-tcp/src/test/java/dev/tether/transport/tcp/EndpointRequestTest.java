package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NoSuchHandlerException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RemoteHandlerException;
import dev.tether.Reply;
import dev.tether.SendReceipt;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.NoSuchEndpointException;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Calls to endpoints' named handlers (docs/MESSAGING.md, "Endpoints"): two real nodes with in-memory stores, on the
 * in-memory transport and over TCP, every check made on a local and a remote endpoint alike.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EndpointRequestTest {
    private static final NodeId A = EndpointNodes.A;
    private static final NodeId B = EndpointNodes.B;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    private Bus bus(int i) {
        return nodes.bus(i);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Reply r) {
        return new String(r.payloadBytes(), StandardCharsets.UTF_8);
    }

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(60, TimeUnit.SECONDS);
            throw new AssertionError("the call succeeded");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the call did not complete", e);
        }
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void callsReachTheNamedHandlerOfTheAddressedEndpointLocalOrRemote(Net net) throws Exception {
        nodes = fixture.start(net);
        // the node and two endpoints each have a handler "who": a call reaches the addressed one only
        nodes.node(1).handle("who", call -> utf8("node b"));
        for (int i = 0; i < 2; i++) {
            String owner = i == 0 ? "a" : "b";
            bus(i).endpoint("bob", d -> {})
                    .handle("who", call -> utf8(owner + "/bob " + call.lane() + " from " + call.from()));
        }
        Endpoint alice = bus(0).endpoint("alice", d -> {});
        assertThat(text(alice.call(Address.of(B, "bob"), "who")
                        .request(utf8("?"))
                        .get(60, TimeUnit.SECONDS)))
                .isEqualTo("b/bob _a.bob from a");
        assertThat(text(alice.call(Address.of(A, "bob"), "who")
                        .request(utf8("?"))
                        .get(60, TimeUnit.SECONDS)))
                .isEqualTo("a/bob _a.bob from a");
        assertThat(text(alice.call(Address.of(B, "bob"), "who")
                        .volatileDelivery()
                        .request(utf8("?"))
                        .get(60, TimeUnit.SECONDS)))
                .isEqualTo("b/bob _v._a.bob from a");
        assertThat(text(bus(1).call(Address.of(B, "bob"), "who")
                        .request(utf8("?"))
                        .get(60, TimeUnit.SECONDS)))
                .isEqualTo("b/bob _a.bob from b");
        assertThat(text(nodes.node(0).call(B, "who").request(utf8("?")).get(60, TimeUnit.SECONDS)))
                .isEqualTo("node b");

        assertThat(alice.call(Address.of(B, "bob"), "who").sync(utf8("?")).get(60, TimeUnit.SECONDS))
                .isNull();
        SendReceipt told = alice.call(Address.of(A, "bob"), "who").tell(utf8("?"));
        assertThat(told.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThatThrownBy(() -> alice.call(Address.of(B, "bob"), "who").lane("other"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void unknownEndpointsAndHandlersFailTheCallAtOnceInsteadOfAtTheDeadline(Net net) throws Exception {
        nodes = fixture.start(net);
        Endpoint alice = bus(0).endpoint("alice", d -> {});
        bus(0).endpoint("bob", d -> {});
        bus(1).endpoint("bob", d -> {});
        Duration longTimeout = Duration.ofMinutes(10); // a hang would fail the test by its own timeout

        assertThatThrownBy(() -> alice.call(Address.of(A, "nobody"), "x")).isInstanceOf(NoSuchEndpointException.class);
        Throwable remote = failure(
                alice.call(Address.of(B, "nobody"), "x").timeout(longTimeout).request(utf8("?")));
        assertThat(remote).isInstanceOf(NoSuchEndpointException.class);
        assertThat(((NoSuchEndpointException) remote).address()).isEqualTo(Address.of(B, "nobody"));
        assertThat(alice.call(Address.of(B, "nobody"), "x")
                        .tell(utf8("?"))
                        .processed()
                        .get(60, TimeUnit.SECONDS))
                .isEqualTo(Outcome.NO_SUCH_ENDPOINT);

        for (NodeId node : List.of(A, B)) {
            Throwable noHandler = failure(alice.call(Address.of(node, "bob"), "x")
                    .timeout(longTimeout)
                    .request(utf8("?")));
            assertThat(noHandler).as("at " + node).isInstanceOf(NoSuchHandlerException.class);
            SendReceipt told = alice.call(Address.of(node, "bob"), "x").tell(utf8("?"));
            assertThat(told.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.NO_SUCH_HANDLER);
        }
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aThrowingEndpointHandlerAnswersWithTheRemoteError(Net net) throws Exception {
        nodes = fixture.start(net);
        for (int i = 0; i < 2; i++) {
            bus(i).endpoint("bob", d -> {}).handle("fail", call -> {
                throw new IllegalStateException("refused " + new String(call.payloadBytes(), StandardCharsets.UTF_8));
            });
        }
        Endpoint alice = bus(0).endpoint("alice", d -> {});
        for (NodeId node : List.of(A, B)) {
            Throwable t = failure(alice.call(Address.of(node, "bob"), "fail").request(utf8("x")));
            assertThat(t).isInstanceOf(RemoteHandlerException.class);
            assertThat(((RemoteHandlerException) t).remoteType()).isEqualTo(IllegalStateException.class.getName());
            assertThat(((RemoteHandlerException) t).remoteMessage()).isEqualTo("refused x");
        }
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void callsAndDirectMessagesOfOneEndpointRunOneAtATime(Net net) throws Exception {
        nodes = fixture.start(net);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Runnable probe = () -> {
            if (inside.incrementAndGet() != 1) overlaps.incrementAndGet();
            for (int spin = 0; spin < 2_000; spin++) Thread.onSpinWait();
            inside.decrementAndGet();
        };
        Endpoint busy = bus(1).endpoint("busy", d -> probe.run());
        busy.handle("work", call -> {
            probe.run();
            return call.payloadBytes();
        });
        Endpoint far = bus(0).endpoint("far", d -> {});
        Endpoint near = bus(1).endpoint("near", d -> {});
        Random random = new Random(fixture.seed());
        List<CompletableFuture<?>> calls = new ArrayList<>();
        List<SendReceipt> sends = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Endpoint from = random.nextBoolean() ? far : near;
            if (random.nextBoolean())
                calls.add(from.call(busy.address(), "work").request(utf8("c" + i)));
            else sends.add(from.send(busy.address(), "s" + random.nextInt(2), java.util.Map.of(), utf8("d" + i)));
        }
        for (CompletableFuture<?> c : calls) c.get(60, TimeUnit.SECONDS);
        for (SendReceipt s : sends)
            assertThat(s.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(overlaps.get())
                .as("handler calls overlapping another of the same endpoint")
                .isZero();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void anAsynchronousHandlerHoldsItsEndpointUntilItsStageCompletes(Net net) throws Exception {
        nodes = fixture.start(net);
        List<CompletableFuture<byte[]>> stages = new CopyOnWriteArrayList<>();
        List<String> direct = new CopyOnWriteArrayList<>();
        Endpoint bob = bus(1).endpoint("bob", d -> direct.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
        bob.handleAsync("later", call -> {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            stages.add(f);
            return f;
        });
        AtomicInteger pings = new AtomicInteger();
        Endpoint ping = bus(1).endpoint("ping", EndpointOptions.defaults().concurrent(), d -> pings.incrementAndGet());
        CompletableFuture<Reply> reply = bus(0).call(bob.address(), "later").request(utf8("?"));
        Await.until(DEADLINE, () -> stages.size() == 1, () -> "the call handed out");

        SendReceipt local = bus(1).send(bob.address(), utf8("local"));
        Await.until(
                DEADLINE,
                () -> EndpointNodes.received(nodes.node(1), B, "_a.bob"),
                () -> "the direct message at the node");
        bus(1).send(ping.address(), utf8("p")).processed().get(60, TimeUnit.SECONDS); // a barrier, as in EndpointTest
        assertThat(direct).isEmpty();

        stages.get(0).complete(utf8("done"));
        assertThat(text(reply.get(60, TimeUnit.SECONDS))).isEqualTo("done");
        assertThat(local.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(direct).containsExactly("local");
    }
}
