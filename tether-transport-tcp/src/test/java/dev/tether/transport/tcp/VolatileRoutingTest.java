package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.transport.tcp.EndpointNodes.outcome;
import static dev.tether.transport.tcp.EndpointNodes.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Delivery;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Match;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Routing rules on volatile messages (docs/MESSAGING.md, "Routing rules"): a copy of a volatile message goes on the
 * target endpoint's volatile lane, remote or local, once per message, in order; a forward to a node keeps the volatile
 * lane; a copy to a channel (whose log is stored) is left out and reported. b routes what a sends it volatile; in
 * memory and over TCP.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VolatileRoutingTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    private SendReceipt sendVolatile(String lane, String payload) {
        return nodes.node(0)
                .send(OutboundMessage.to(EndpointNodes.B)
                        .lane(lane)
                        .volatileDelivery()
                        .payload(EndpointNodes.utf8(payload))
                        .build());
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void copiesOfAVolatileMessageGoOnVolatileLanesAndNeverOnAChannel(Net net) throws Exception {
        nodes = fixture.start(net);
        nodes.node(1).join("audit", ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        List<String> atRec = new CopyOnWriteArrayList<>();
        List<String> atLocal = new CopyOnWriteArrayList<>();
        nodes.bus(0).endpoint("rec", d -> atRec.add(text(d.payloadBytes()) + " " + d.lane()));
        nodes.bus(1).endpoint("audit", d -> atLocal.add(text(d.payloadBytes()) + " " + d.lane()));
        RoutingRules rules = nodes.bus(1).rules();
        Match vin = Match.any().lane(exact("vin"));
        rules.add(Rule.named("tap").priority(3).match(vin).action(Action.copy(Address.parse("a/rec"))));
        rules.add(Rule.named("tap-local").priority(2).match(vin).action(Action.copy(Address.parse("b/audit"))));
        rules.add(Rule.named("tap-chan").priority(1).match(vin).action(Action.copyToChannel("audit")));
        rules.add(Rule.named("fwd").match(Match.any().lane(exact("vfwd"))).action(Action.forward(EndpointNodes.A)));
        List<SendReceipt> receipts = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            receipts.add(sendVolatile("vin", "v" + i));
            sent.add("v" + i);
        }
        SendReceipt forwarded = sendVolatile("vfwd", "f");
        List<String> atB = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Delivery d = nodes.node(1).receive(DEADLINE);
            atB.add(text(d.payloadBytes()));
            d.ack();
        }
        assertThat(atB).containsExactlyElementsOf(sent);
        for (SendReceipt r : receipts) assertThat(outcome(r)).isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(forwarded)).isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> atRec.size() >= 10 && atLocal.size() >= 10, () -> atRec + " " + atLocal);
        assertThat(atRec)
                .containsExactlyElementsOf(
                        sent.stream().map(s -> s + " _v._a.rec").toList());
        assertThat(atLocal)
                .containsExactlyElementsOf(
                        sent.stream().map(s -> s + " _v._a.audit").toList());
        Delivery f = nodes.node(0).receive(DEADLINE);
        assertThat(f.lane()).as("a forward keeps the volatile lane").isEqualTo("_v.vfwd");
        assertThat(f.headers()).containsEntry(":n", "1").containsEntry(":r", "a b:fwd");
        f.ack();
        Await.until(
                DEADLINE,
                () -> nodes.events(1).stream()
                        .anyMatch(e -> e instanceof TetherEvent.RuleError r
                                && r.problem().contains("a volatile message is not published on a channel")),
                () -> "the channel copy reported: " + nodes.events(1));
    }
}
