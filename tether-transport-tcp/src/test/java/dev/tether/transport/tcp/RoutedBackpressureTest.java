package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.transport.tcp.EndpointNodes.outcome;
import static dev.tether.transport.tcp.EndpointNodes.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Delivery;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.StreamLimits;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.bus.Action;
import dev.tether.bus.Match;
import dev.tether.bus.Rule;
import dev.tether.management.DeadLetterEntry;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Forwarding keeps backpressure (docs/MESSAGING.md, "Routing rules"; docs/BUS-DESIGN.md, section 4.3): router b
 * forwards lane {@code in} back to a, whose stream b limits to a few unacknowledged messages; a takes them one by one
 * (pull, acknowledging each after looking at b's stream). A full target holds the route (b's inbound stream waits,
 * nothing lost or repeated), and a rule's {@code onFullDeadLetterAfter} dead-letters a message after its bound. In
 * memory and over TCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RoutedBackpressureTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final NodeId A = EndpointNodes.A;

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    private void start(Net net, int limit, Rule forward) {
        nodes = fixture.start(net, (id, b) -> {
            if (id.equals(EndpointNodes.B)) b.streamLimits("a", "in", StreamLimits.maxMessages(limit));
        });
        nodes.bus(1).rules().add(forward);
    }

    private static Rule forwardInToA() {
        return Rule.named("fwd").match(Match.any().lane(exact("in"))).action(Action.forward(A));
    }

    /** b's outbound stream to a on lane {@code in}: stored and not yet acknowledged by a. */
    private static long unackedAtB(TetherNode b) {
        for (StreamStats s : b.stats().streams(A)) {
            if (s.direction() == StreamStats.Direction.OUTBOUND && s.lane().equals("in"))
                return s.lastSeq() - s.cursor();
        }
        return 0;
    }

    private List<SendReceipt> sendIn(int n) {
        List<SendReceipt> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(nodes.node(0).send(EndpointNodes.B, "in", EndpointNodes.utf8("m" + i)));
        return l;
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aFullTargetStreamHoldsTheRouteAndNothingIsLostOrRepeated(Net net) throws Exception {
        start(net, 3, forwardInToA());
        List<SendReceipt> receipts = sendIn(12);
        Await.until(
                DEADLINE,
                () -> EndpointNodes.received(nodes.node(1), A, "in") && unackedAtB(nodes.node(1)) == 3,
                () -> "b forwarded 3: " + unackedAtB(nodes.node(1)));
        for (int i = 0; i < 12; i++) {
            Delivery d = nodes.node(0).receive(DEADLINE);
            assertThat(d).as("m" + i).isNotNull();
            assertThat(text(d.payloadBytes())).isEqualTo("m" + i);
            assertThat(d.headers()).containsEntry(":n", "1");
            assertThat(unackedAtB(nodes.node(1)))
                    .as("b's stream to a within its limit")
                    .isLessThanOrEqualTo(3);
            if (i < 9)
                assertThat(receipts.get(i + 3).processed())
                        .as("m%d waits", i + 3)
                        .isNotDone();
            d.ack();
        }
        for (SendReceipt r : receipts) assertThat(outcome(r)).isEqualTo(Outcome.PROCESSED);
        assertThat(nodes.node(0).receive(Duration.ZERO)).as("each once").isNull();
        assertThat(Tether.management(nodes.node(1)).deadLetters(10, false)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aRuleWithABoundDeadLettersTheMessageOnceTheTargetStayedFullThatLong(Net net) throws Exception {
        start(net, 1, forwardInToA().onFullDeadLetterAfter(Duration.ofMillis(200)));
        List<SendReceipt> receipts = sendIn(3);
        assertThat(outcome(receipts.get(0))).isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(receipts.get(1))).as("a did not take m0 in time").isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(outcome(receipts.get(2))).isEqualTo(Outcome.DEAD_LETTERED);
        List<DeadLetterEntry> dead = Tether.management(nodes.node(1)).deadLetters(10, true);
        assertThat(dead).extracting(e -> text(e.payload())).containsExactly("m1", "m2");
        assertThat(dead)
                .allSatisfy(e -> assertThat(e.reason())
                        .startsWith("rule fwd: target full: stream a/in holds 1 of its limit of 1 unacknowledged"
                                + " messages")
                        .contains("(waited "));
        Delivery d = nodes.node(0).receive(DEADLINE);
        assertThat(text(d.payloadBytes())).isEqualTo("m0");
        d.ack();
        SendReceipt after = nodes.node(0).send(EndpointNodes.B, "in", EndpointNodes.utf8("m3"));
        assertThat(outcome(after)).as("room again once a took care of m0").isEqualTo(Outcome.PROCESSED);
        assertThat(text(nodes.node(0).receive(DEADLINE).payloadBytes())).isEqualTo("m3");
    }
}
