package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Outcome;
import dev.tether.UnknownPeerException;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointNotAdvertisedException;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Endpoints in {@code _hello} (docs/BUS-DESIGN.md, section 1.2): two real nodes on the in-memory transport and over TCP
 * on loopback; {@code bus.awaitEndpoint} completes when the peer registers the endpoint (at once if it did), a closed
 * one is no longer advertised and waiting for it times out naming what is, and {@code bus.advertised} lists the peer's
 * endpoints.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EndpointAdvertisementTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Address BOB = Address.parse("b/bob");
    private static final Address CAROL = Address.parse("b/carol");

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got success");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void awaitEndpointCompletesWhenThePeerRegistersItAndAClosedOneIsNoLongerAdvertised(Net net) throws Exception {
        nodes = fixture.start(net);
        Bus a = nodes.bus(0);
        Bus b = nodes.bus(1);
        CompletableFuture<Void> bob = a.awaitEndpoint(BOB, DEADLINE);
        Await.until(DEADLINE, () -> nodes.node(0).peers().get(0).connected(), () -> "a connected to b");
        assertThat(bob).isNotDone();
        Endpoint registered = b.endpoint("bob", d -> {});
        b.endpoint("carol", d -> {});
        bob.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        a.awaitEndpoint(CAROL, DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(a.advertised(EndpointNodes.B)).containsExactly(BOB, CAROL);
        assertThat(a.send(BOB, new byte[] {1}).processed().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);

        registered.close();
        Await.until(
                DEADLINE,
                () -> a.advertised(EndpointNodes.B).equals(List.of(CAROL)),
                () -> "only carol: " + a.advertised(EndpointNodes.B));
        Throwable t = failure(a.awaitEndpoint(BOB, Duration.ofMillis(200)));
        assertThat(t)
                .isInstanceOf(EndpointNotAdvertisedException.class)
                .hasMessageContaining("node b did not advertise endpoint 'bob' within PT0.2S")
                .hasMessageContaining("[carol]");
        assertThat(((EndpointNotAdvertisedException) t).address()).isEqualTo(BOB);
        CompletableFuture<Void> again = a.awaitEndpoint(BOB, DEADLINE);
        b.endpoint("bob", d -> {});
        again.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * A node with more endpoints than its {@code _hello} lists (4,096): a wait for one beyond them is answered by
     * asking the node ({@code _list_endpoints}) when it registers it, {@code listEndpoints} pages through all of them,
     * and one beyond the advertised set is reachable.
     */
    @ParameterizedTest
    @EnumSource(Net.class)
    void endpointsBeyondTheAdvertisedOnesAreSeenListedAndReachable(Net net) throws Exception {
        nodes = fixture.start(net);
        Bus a = nodes.bus(0);
        Bus b = nodes.bus(1);
        int count = 4096 + 1000;
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) names.add(String.format("e%05d", i));
        java.util.Collections.shuffle(names, new java.util.Random(fixture.seed()));
        for (String n : names) b.endpoint(n, d -> {});
        Address first = Address.of(EndpointNodes.B, "e00000");
        a.awaitEndpoint(first, DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        // The first 4,096 names: an advertisement sent while b was still registering (in shuffled order) may list
        // 4,096 others, e05000 among them; the one after the last registration lists these.
        java.util.Set<Address> firstNames = new java.util.HashSet<>();
        for (int i = 0; i < 4096; i++) firstNames.add(Address.of(EndpointNodes.B, String.format("e%05d", i)));
        Await.until(
                DEADLINE,
                () -> new java.util.HashSet<>(a.advertised(EndpointNodes.B)).equals(firstNames),
                () -> "the first 4,096 advertised: "
                        + a.advertised(EndpointNodes.B).size());
        Address beyond = Address.of(EndpointNodes.B, "e05000");
        assertThat(a.advertised(EndpointNodes.B)).doesNotContain(beyond);
        a.awaitEndpoint(beyond, DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS); // asked at once: it is there

        Address late = Address.of(EndpointNodes.B, "zz-late"); // after every other name: never advertised
        CompletableFuture<Void> lateSeen = a.awaitEndpoint(late, DEADLINE);
        Throwable notYet = failure(a.awaitEndpoint(late, Duration.ofMillis(300)));
        assertThat(notYet)
                .isInstanceOf(EndpointNotAdvertisedException.class)
                .hasMessageContaining("says it has more, which did not include it either");
        assertThat(lateSeen).isNotDone();
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        b.endpoint(
                late.agent(), d -> received.add(new String(d.payloadBytes(), java.nio.charset.StandardCharsets.UTF_8)));
        lateSeen.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(a.advertised(EndpointNodes.B)).doesNotContain(late).hasSize(4096);

        List<Address> all = a.listEndpoints(EndpointNodes.B, DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(all)
                .hasSize(count + 1)
                .isEqualTo(b.endpoints())
                .endsWith(late)
                .contains(beyond);
        assertThat(a.send(late, EndpointNodes.utf8("hi")).processed().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(received).containsExactly("hi");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void argumentsAreChecked(Net net) {
        nodes = fixture.start(net);
        Bus a = nodes.bus(0);
        assertThatThrownBy(() -> a.awaitEndpoint(Address.parse("a/mine"), DEADLINE))
                .isInstanceOf(UnknownPeerException.class)
                .hasMessageContaining("its own endpoints");
        assertThatThrownBy(() -> a.awaitEndpoint(new Address(EndpointNodes.B, null), DEADLINE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node address");
        assertThatThrownBy(() -> a.awaitEndpoint(BOB, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThat(a.advertised(EndpointNodes.B)).isEmpty();
        assertThatThrownBy(() -> a.listEndpoints(EndpointNodes.A, DEADLINE))
                .isInstanceOf(UnknownPeerException.class)
                .hasMessageContaining("list them locally");
        assertThatThrownBy(() -> a.listEndpoints(EndpointNodes.B, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.listEndpoints(dev.tether.NodeId.of("nobody"), DEADLINE))
                .isInstanceOf(UnknownPeerException.class);
    }
}
