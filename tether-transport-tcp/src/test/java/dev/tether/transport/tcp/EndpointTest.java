package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.AckMode;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointDelivery;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.EndpointStats;
import dev.tether.bus.NoSuchEndpointException;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Endpoints (docs/MESSAGING.md, "Endpoints"): two real nodes with in-memory stores, on the in-memory transport and
 * over TCP on loopback; every check is made for a local endpoint (a loopback stream) and a remote one alike.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EndpointTest {
    private static final NodeId A = EndpointNodes.A;
    private static final NodeId B = EndpointNodes.B;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    private void start(Net net) {
        nodes = fixture.start(net);
    }

    private Bus bus(int i) {
        return nodes.bus(i);
    }

    /** One message as an endpoint saw it. */
    private record Got(Address from, String text, String subLane, boolean redelivery, Map<String, String> headers) {}

    private static Got got(EndpointDelivery d) {
        return new Got(
                d.fromAddress(),
                new String(d.payloadBytes(), StandardCharsets.UTF_8),
                d.subLane(),
                d.isRedelivery(),
                d.headers());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void eachSendersMessagesArriveInOrderAtLocalAndRemoteEndpoints(Net net) throws Exception {
        start(net);
        List<Got> atLocal = new CopyOnWriteArrayList<>();
        List<Got> atRemote = new CopyOnWriteArrayList<>();
        Endpoint local = bus(0).endpoint("local", d -> atLocal.add(got(d)));
        Endpoint remote = bus(1).endpoint("bob", d -> atRemote.add(got(d)));
        List<Endpoint> senders = new ArrayList<>();
        for (int s = 0; s < 4; s++) senders.add(bus(0).endpoint("s" + s, d -> {}));

        Random random = new Random(fixture.seed());
        int perSender = 300;
        int[] next = new int[senders.size()];
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < perSender * senders.size(); i++) {
            int s;
            do s = random.nextInt(senders.size());
            while (next[s] == perSender);
            String text = "s" + s + ":" + next[s]++;
            receipts.add(senders.get(s).send(local.address(), utf8(text)));
            receipts.add(senders.get(s).send(remote.address(), null, Map.of("k", text), utf8(text)));
        }
        for (SendReceipt r : receipts)
            assertThat(r.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);

        for (List<Got> at : List.of(atLocal, atRemote)) {
            assertThat(at).hasSize(perSender * senders.size());
            for (int s = 0; s < senders.size(); s++) {
                Address from = Address.of(A, "s" + s);
                List<String> texts = at.stream()
                        .filter(g -> g.from().equals(from))
                        .map(Got::text)
                        .toList();
                List<String> expected = new ArrayList<>();
                for (int k = 0; k < perSender; k++) expected.add("s" + s + ":" + k);
                assertThat(texts).as("from " + from).containsExactlyElementsOf(expected);
            }
            assertThat(at).noneMatch(Got::redelivery).allMatch(g -> g.subLane() == null);
        }
        assertThat(atRemote).allMatch(g -> g.headers().equals(Map.of("k", g.text())));
        assertThat(atLocal).allMatch(g -> g.headers().isEmpty()); // the sender's endpoint header is not shown
        assertThat(senders.get(0).stats().sent()).isEqualTo(2L * perSender);
        assertThat(local.stats()).isEqualTo(new EndpointStats(0, 1200, 1200, 0, 0, 0));
        assertThat(remote.stats().processed()).isEqualTo(1200);
        // one stream per sending node and receiving endpoint, whatever the number of sending endpoints
        assertThat(nodes.node(1).stats().streams(A))
                .filteredOn(st -> st.lane().startsWith("_a."))
                .extracting(StreamStats::lane)
                .containsExactly("_a.bob");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void anEndpointHandlesOneMessageAtATimeAcrossAllItsStreams(Net net) throws Exception {
        start(net);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        Endpoint busy = bus(1).endpoint("busy", d -> {
            if (inside.incrementAndGet() != 1) overlaps.incrementAndGet();
            for (int spin = 0; spin < 2_000; spin++) Thread.onSpinWait(); // widen the window a second one would hit
            handled.incrementAndGet();
            inside.decrementAndGet();
        });
        Endpoint free = bus(1).endpoint("free", EndpointOptions.defaults().concurrent(), d -> {});
        // six inbound streams: three sub-lanes from the other node, three from this node (loopback)
        List<SendReceipt> receipts = new ArrayList<>();
        Endpoint far = bus(0).endpoint("far", d -> {});
        Endpoint near = bus(1).endpoint("near", d -> {});
        int per = 200;
        for (int i = 0; i < per; i++) {
            for (int lane = 0; lane < 3; lane++) {
                receipts.add(far.send(busy.address(), "l" + lane, Map.of(), utf8("f" + i)));
                receipts.add(near.send(busy.address(), "l" + lane, Map.of(), utf8("n" + i)));
            }
        }
        receipts.add(near.send(free.address(), utf8("x")));
        for (SendReceipt r : receipts)
            assertThat(r.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(handled.get()).isEqualTo(6 * per);
        assertThat(overlaps.get())
                .as("handler calls overlapping another of the same endpoint")
                .isZero();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void anUnsettledMessageHoldsItsEndpointUntilItIsAcknowledged(Net net) throws Exception {
        start(net);
        List<EndpointDelivery> held = new CopyOnWriteArrayList<>();
        Endpoint manual = bus(1).endpoint("manual", EndpointOptions.defaults().ackMode(AckMode.MANUAL), held::add);
        AtomicInteger pings = new AtomicInteger();
        Endpoint ping = bus(1).endpoint("ping", EndpointOptions.defaults().concurrent(), d -> pings.incrementAndGet());
        SendReceipt first = bus(0).send(manual.address(), utf8("first"));
        Await.until(DEADLINE, () -> held.size() == 1, () -> "the first message handed out");

        SendReceipt remote = bus(0).endpoint("other", d -> {}).send(manual.address(), "side", Map.of(), utf8("r"));
        SendReceipt local = bus(1).send(manual.address(), utf8("l"));
        Await.until(
                DEADLINE,
                () -> EndpointNodes.received(nodes.node(1), A, "_a.manual.side")
                        && EndpointNodes.received(nodes.node(1), B, "_a.manual"),
                () -> "both messages at the receiving node");
        // a barrier through the handler threads: runs queued before it have been taken up by now
        bus(1).send(ping.address(), utf8("p")).processed().get(60, TimeUnit.SECONDS);
        assertThat(held).hasSize(1);
        assertThat(first.processed()).isNotDone();

        assertThat(held.get(0).ack()).isTrue();
        assertThat(first.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> held.size() == 2, () -> "the next message once the first was settled");
        held.get(1).ack();
        Await.until(DEADLINE, () -> held.size() == 3, () -> "the third message once the second was settled");
        held.get(2).nack(); // a failed attempt comes again, and holds the endpoint meanwhile
        Await.until(DEADLINE, () -> held.size() == 4, () -> "the nacked message again");
        assertThat(held.get(3).attempt()).isEqualTo(2);
        held.get(3).ack();
        assertThat(remote.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(local.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(manual.stats().failed()).isEqualTo(1);
        assertThat(pings.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void anUnknownEndpointIsRefusedAtOnceLocallyAndSettledWithoutProcessingRemotely(Net net) throws Exception {
        start(net);
        Endpoint alice = bus(0).endpoint("alice", d -> {});
        assertThatThrownBy(() -> alice.send(Address.of(A, "nobody"), utf8("x")))
                .isInstanceOf(NoSuchEndpointException.class)
                .hasMessageContaining("nobody");

        SendReceipt r = alice.send(Address.of(B, "nobody"), utf8("lost"));
        assertThat(r.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.NO_SUCH_ENDPOINT);
        assertThat(bus(1).noSuchEndpoint()).isEqualTo(1);

        // the stream goes on: the next message to that name reaches it once it exists
        List<Got> got = new CopyOnWriteArrayList<>();
        bus(1).endpoint("nobody", d -> got.add(got(d)));
        assertThat(alice.send(Address.of(B, "nobody"), utf8("found"))
                        .processed()
                        .get(60, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(got).extracting(Got::text).containsExactly("found");
        assertThat(got.get(0).from()).isEqualTo(Address.of(A, "alice"));
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aClosedEndpointTakesNoMoreMessagesAndItsNameCanBeRegisteredAgain(Net net) throws Exception {
        start(net);
        List<String> first = new CopyOnWriteArrayList<>();
        Endpoint bob = bus(1).endpoint("bob", d -> first.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
        Endpoint alice = bus(0).endpoint("alice", d -> {});
        Endpoint carol = bus(1).endpoint("carol", d -> {});
        assertThat(alice.send(bob.address(), utf8("1")).processed().get(60, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(bus(1).endpoints()).containsExactly(Address.of(B, "bob"), Address.of(B, "carol"));

        bob.close();
        assertThat(bob.isClosed()).isTrue();
        assertThat(bus(1).endpoints()).containsExactly(Address.of(B, "carol"));
        assertThat(bus(1).find("bob")).isEmpty();
        assertThatThrownBy(() -> carol.send(Address.of(B, "bob"), utf8("x")))
                .isInstanceOf(NoSuchEndpointException.class);
        assertThat(alice.send(Address.of(B, "bob"), utf8("2")).processed().get(60, TimeUnit.SECONDS))
                .isEqualTo(Outcome.NO_SUCH_ENDPOINT);
        assertThatThrownBy(() -> bob.send(Address.of(B, "carol"), utf8("x"))).isInstanceOf(IllegalStateException.class);

        List<String> second = new CopyOnWriteArrayList<>();
        bus(1).endpoint("bob", d -> second.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
        assertThat(alice.send(Address.of(B, "bob"), utf8("3")).processed().get(60, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(carol.send(Address.of(B, "bob"), utf8("4")).processed().get(60, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(first).containsExactly("1");
        assertThat(second).containsExactly("3", "4");
    }

    @Test
    void badAddressesNamesAndLimitsAreRefusedWithSpecificErrors() {
        start(Net.MEMORY);
        assertThat(Address.parse("b/bob")).isEqualTo(Address.of(B, "bob"));
        assertThat(Address.parse("b/bob").toString()).isEqualTo("b/bob");
        assertThat(Address.parse("node.1/Agent_7-x").agent()).isEqualTo("Agent_7-x");
        for (String bad : new String[] {"bob", "b/", "/bob", "b/bo.b", "b/bob/x", "b c/bob", "b/" + "x".repeat(33)}) {
            assertThatThrownBy(() -> Address.parse(bad)).as(bad).isInstanceOf(InvalidIdException.class);
        }
        assertThatThrownBy(() -> Address.parse(null)).isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> Address.parse("b/_sys"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
        assertThat(Address.of(B, "x".repeat(32)).agent()).hasSize(32);

        Bus bus = bus(0);
        assertThatThrownBy(() -> bus.endpoint("_hidden", d -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bus.endpoint("a.b", d -> {})).isInstanceOf(InvalidIdException.class);
        Endpoint e = bus.endpoint("one", d -> {});
        assertThatThrownBy(() -> bus.endpoint("one", d -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("registered already");
        assertThatThrownBy(() -> e.send(new Address(B, null), utf8("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names a node");
        assertThatThrownBy(() -> e.send(Address.of(B, "x"), "bad lane", Map.of(), utf8("x")))
                .isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> e.send(Address.of(B, "x"), "y".repeat(25), Map.of(), utf8("x")))
                .isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> e.send(Address.of(B, "x"), null, Map.of(":f", "evil"), utf8("x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bus.maxEndpoints(0)).isInstanceOf(IllegalArgumentException.class);

        bus.maxEndpoints(3);
        bus.endpoint("two", d -> {});
        bus.endpoint("three", d -> {});
        assertThatThrownBy(() -> bus.endpoint("four", d -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxEndpoints");
        e.close();
        bus.endpoint("four", d -> {}); // room again
        assertThat(bus.endpoints()).extracting(Address::agent).containsExactly("four", "three", "two");
        assertThat(Tether.bus(nodes.node(0))).isSameAs(bus);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aFailingHandlerIsRetriedAndTheSenderSeesItAsProcessedOnceItSucceeds(Net net) throws Exception {
        start(net);
        ConcurrentHashMap<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        Endpoint flaky = bus(1).endpoint("flaky", d -> {
            String text = new String(d.payloadBytes(), StandardCharsets.UTF_8);
            if (attempts.computeIfAbsent(text, k -> new AtomicInteger()).incrementAndGet() < 3)
                throw new IllegalStateException("not yet: " + text);
        });
        Endpoint alice = bus(0).endpoint("alice", d -> {});
        assertThat(alice.send(flaky.address(), utf8("m")).processed().get(60, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(attempts.get("m").get()).isEqualTo(3);
        // the retries come flagged as redeliveries
        assertThat(flaky.stats()).isEqualTo(new EndpointStats(0, 3, 1, 2, 2, 0));
    }
}
