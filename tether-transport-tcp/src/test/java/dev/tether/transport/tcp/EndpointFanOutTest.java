package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.transport.tcp.EndpointNodes.outcome;
import static dev.tether.transport.tcp.EndpointNodes.text;
import static dev.tether.transport.tcp.EndpointNodes.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelRole;
import dev.tether.ChannelRoleException;
import dev.tether.Channels;
import dev.tether.InvalidIdException;
import dev.tether.Outcome;
import dev.tether.bus.Action;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointDelivery;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.Match;
import dev.tether.bus.MessageKind;
import dev.tether.bus.Rule;
import dev.tether.management.DeadLetterEntry;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Endpoints on channels (docs/MESSAGING.md, "Endpoints on channels"): publishes by an endpoint of either node reach
 * every endpoint that joined the channel, of both nodes, once, in each publisher's order, with the publisher and the
 * channel; an endpoint that did not join or left gets nothing; roles and bad input are refused with specific errors;
 * broadcasts reach every endpoint but those ignoring them; routing rules act on the copies of one endpoint. Two nodes,
 * in memory and over TCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EndpointFanOutTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String CH = "prices";

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;
    /** What each endpoint got, by address: "kind channel from payload [redelivery]". */
    private final Map<String, List<String>> got = new ConcurrentHashMap<>();

    private Endpoint endpoint(int node, String name, EndpointOptions options) {
        List<String> l = got.computeIfAbsent((node == 0 ? "a/" : "b/") + name, k -> new CopyOnWriteArrayList<>());
        return nodes.bus(node).endpoint(name, options, d -> l.add(line(d)));
    }

    private static String line(EndpointDelivery d) {
        return d.kind() + " " + d.channel() + " " + d.fromAddress() + " " + text(d.payloadBytes())
                + (d.isRedelivery() ? " redelivered" : "");
    }

    private List<String> got(String address) {
        return got.getOrDefault(address, List.of());
    }

    private static void join(Endpoint e, ChannelRole role) throws Exception {
        e.join(CH, role).get(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void publishesReachEveryJoinedEndpointOnceInOrderWithPublisherAndChannel(Net net) throws Exception {
        nodes = fixture.start(net);
        EndpointOptions o = EndpointOptions.defaults();
        List<Endpoint> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) readers.add(endpoint(1, "r" + i, i == 3 ? o.onNodeThread() : o));
        readers.add(endpoint(0, "ra", o));
        Endpoint pa = endpoint(0, "pa", o);
        Endpoint pb = endpoint(1, "pb", o);
        Endpoint idle = endpoint(1, "idle", o);
        for (Endpoint r : readers) join(r, ChannelRole.READ);
        join(pa, ChannelRole.WRITE);
        join(pb, ChannelRole.READ_WRITE);
        List<String> fromA = new ArrayList<>();
        List<String> fromB = new ArrayList<>();
        List<dev.tether.SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            boolean a = i % 3 != 0;
            String p = (a ? "x" : "y") + i;
            receipts.add((a ? pa : pb).publish(CH, utf8(p)));
            (a ? fromA : fromB).add("PUBLISH " + CH + " " + (a ? "a/pa " : "b/pb ") + p);
        }
        for (dev.tether.SendReceipt r : receipts) assertThat(outcome(r)).isEqualTo(Outcome.PROCESSED);
        List<String> all = new ArrayList<>(List.of("b/r0", "b/r1", "b/r2", "b/r3", "a/ra"));
        Await.until(DEADLINE, () -> all.stream().allMatch(x -> got(x).size() >= 60), () -> "got " + got);
        Await.until(DEADLINE, () -> got("b/pb").size() >= 40, () -> "pb got " + got("b/pb"));
        for (String r : all) {
            assertThat(got(r).stream().filter(s -> s.contains(" a/pa ")).toList())
                    .as(r + ": a's publishes once, in order")
                    .containsExactlyElementsOf(fromA);
            assertThat(got(r).stream().filter(s -> s.contains(" b/pb ")).toList())
                    .as(r + ": b's publishes once, in order")
                    .containsExactlyElementsOf(fromB);
            assertThat(got(r)).hasSize(60);
        }
        assertThat(got("b/pb")).as("a publisher reads the others, not itself").containsExactlyElementsOf(fromA);
        assertThat(got("a/pa")).as("a WRITE member reads nothing").isEmpty();
        assertThat(got("b/idle")).as("not joined").isEmpty();
        assertThat(pb.channels()).isEqualTo(Map.of(CH, ChannelRole.READ_WRITE));
        assertThat(idle.channels()).isEmpty();
    }

    @Test
    void leaveStopsDeliveryAndRefusalsAreSpecific() throws Exception {
        nodes = fixture.start(Net.MEMORY);
        Endpoint r0 = endpoint(1, "r0", EndpointOptions.defaults());
        Endpoint r1 = endpoint(1, "r1", EndpointOptions.defaults());
        Endpoint pa = endpoint(0, "pa", EndpointOptions.defaults());
        join(r0, ChannelRole.READ);
        join(r1, ChannelRole.READ);
        join(pa, ChannelRole.READ_WRITE);
        assertThat(outcome(pa.publish(CH, utf8("one")))).isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> got("b/r0").size() == 1 && got("b/r1").size() == 1, () -> "got " + got);
        r0.leave(CH).get(30, TimeUnit.SECONDS);
        assertThat(outcome(pa.publish(CH, Map.of("k", "v"), utf8("two")))).isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> got("b/r1").size() == 2, () -> "got " + got);
        assertThat(got("b/r1").get(1)).isEqualTo("PUBLISH " + CH + " a/pa two");
        assertThat(got("b/r0")).as("left before the second").containsExactly("PUBLISH " + CH + " a/pa one");

        assertThatThrownBy(() -> r1.publish(CH, utf8("no")))
                .isInstanceOf(ChannelRoleException.class)
                .hasMessageContaining("joined it READ");
        assertThatThrownBy(() -> r0.publish(CH, utf8("no")))
                .isInstanceOf(ChannelRoleException.class)
                .hasMessageContaining("did not join");
        assertThatThrownBy(() -> r1.publish("bad channel", utf8("no"))).isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> r1.join("_x", ChannelRole.READ)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pa.publish(CH, Map.of(":f", "x"), utf8("no")))
                .isInstanceOf(IllegalArgumentException.class);
        r1.close();
        assertThatThrownBy(() -> r1.publish(CH, utf8("no"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> r1.join(CH, ChannelRole.READ)).isInstanceOf(IllegalStateException.class);
        Await.until(
                DEADLINE,
                () -> {
                    try { // b left when its last endpoint did: it is no member any more
                        nodes.node(1).publish(CH, Map.of(), utf8("no"));
                        return false;
                    } catch (ChannelRoleException e) {
                        return e.getMessage().contains("did not join");
                    }
                },
                () -> "b still a member");
        assertThat(r0.leave(CH).isDone()).as("leaving a channel not joined").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void broadcastsReachEveryEndpointButThoseIgnoringThem(Net net) throws Exception {
        nodes = fixture.start(net);
        EndpointOptions o = EndpointOptions.defaults();
        Endpoint a0 = endpoint(0, "a0", o);
        endpoint(0, "a1", o);
        endpoint(0, "deaf", o.ignoreBroadcasts());
        endpoint(1, "b0", o);
        endpoint(1, "b1", o.concurrent());
        endpoint(1, "bdeaf", o.ignoreBroadcasts());
        nodes.bus(0)
                .awaitEndpoint(dev.tether.bus.Address.parse("b/b1"), DEADLINE)
                .get(60, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            assertThat(outcome(a0.broadcast(utf8("e" + i)))).isEqualTo(Outcome.PROCESSED);
            assertThat(outcome(nodes.bus(1).broadcast(utf8("n" + i)))).isEqualTo(Outcome.PROCESSED);
        }
        Await.until(DEADLINE, () -> got("b/b0").size() == 40 && got("b/b1").size() == 40, () -> "got " + got);
        Await.until(DEADLINE, () -> got("a/a1").size() == 40 && got("a/a0").size() == 20, () -> "got " + got);
        List<String> fromA0 = new ArrayList<>();
        List<String> fromB = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fromA0.add("BROADCAST " + Channels.BROADCAST + " a/a0 e" + i);
            fromB.add("BROADCAST " + Channels.BROADCAST + " b n" + i);
        }
        for (String r : List.of("b/b0", "b/b1", "a/a1")) {
            assertThat(got(r).stream().filter(s -> s.contains(" a/a0 ")).toList())
                    .as(r)
                    .isEqualTo(fromA0);
            assertThat(got(r).stream().filter(s -> s.contains(" b n")).toList())
                    .as(r)
                    .isEqualTo(fromB);
        }
        assertThat(got("a/a0")).as("not its own").containsExactlyElementsOf(fromB);
        assertThat(got("a/deaf")).isEmpty();
        assertThat(got("b/bdeaf")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void rulesDropCopyAndDeadLetterAnEndpointsChannelCopies(Net net) throws Exception {
        nodes = fixture.start(net);
        EndpointOptions o = EndpointOptions.defaults();
        Endpoint pa = endpoint(0, "pa", o);
        Endpoint r0 = endpoint(1, "r0", o);
        Endpoint r1 = endpoint(1, "r1", o);
        Endpoint r2 = endpoint(1, "r2", o);
        Endpoint tap = endpoint(1, "tap", o);
        Endpoint b0 = endpoint(1, "b0", o);
        for (Endpoint r : List.of(r0, r1, r2)) join(r, ChannelRole.READ);
        join(pa, ChannelRole.WRITE);
        var rules = nodes.bus(1).rules();
        rules.add(Rule.named("drop-r0")
                .match(Match.kind(MessageKind.PUBLISH).recipient(exact("r0")).header("k", exact("drop")))
                .action(Action.drop()));
        rules.add(Rule.named("dl-r1")
                .match(Match.kind(MessageKind.PUBLISH).recipient(exact("r1")).channel(exact(CH)))
                .action(Action.deadLetter("no prices for r1")));
        rules.add(Rule.named("tap-r2")
                .match(Match.kind(MessageKind.PUBLISH)
                        .recipient(exact("r2"))
                        .sender(dev.tether.bus.Address.parse("a/pa")))
                .action(Action.copy(dev.tether.bus.Address.parse("b/tap"))));
        rules.add(Rule.named("drop-bcast")
                .match(Match.kind(MessageKind.BROADCAST).recipient(exact("b0")))
                .action(Action.drop()));
        for (int i = 0; i < 10; i++) {
            String k = i % 2 == 0 ? "drop" : "keep";
            assertThat(outcome(pa.publish(CH, Map.of("k", k), utf8("p" + i)))).isEqualTo(Outcome.PROCESSED);
        }
        assertThat(outcome(pa.broadcast(utf8("all")))).isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> got("b/r2").size() == 11 && got("b/tap").size() == 11, () -> "got " + got);
        Await.until(DEADLINE, () -> got("b/r0").size() == 6 && got("b/r1").size() == 1, () -> "got " + got);
        Await.until(DEADLINE, () -> nodes.node(1).deadLetters(100).size() == 10, () -> "dead letters");
        assertThat(got("b/r0").stream().filter(s -> s.startsWith("PUBLISH")).toList())
                .as("the drop rule on r0's copies")
                .isEqualTo(List.of("p1", "p3", "p5", "p7", "p9").stream()
                        .map(p -> "PUBLISH " + CH + " a/pa " + p)
                        .toList());
        assertThat(got("b/r1")).as("only the broadcast").containsExactly("BROADCAST _all a/pa all");
        assertThat(got("b/b0")).as("its broadcast dropped").isEmpty();
        List<String> tapped =
                got("b/tap").stream().filter(s -> s.contains(" p")).toList();
        assertThat(tapped).hasSize(10).allMatch(s -> s.startsWith("DIRECT null b "));
        List<DeadLetterEntry> dl = Tether.management(nodes.node(1)).deadLetters(100, false);
        assertThat(dl).hasSize(10).allMatch(e -> e.reason().equals("rule dl-r1: no prices for r1"));
        assertThat(r0.stats().received()).isEqualTo(6);
        assertThat(rules.stats()).anyMatch(st -> st.name().equals("drop-r0") && st.matched() == 5);
    }
}
