package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.transport.tcp.EndpointNodes.outcome;
import static dev.tether.transport.tcp.EndpointNodes.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Outcome;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryOptions;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.Match;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.management.NodeManagement;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The message history of a router (docs/OPERATIONS.md, "Message history"; docs/MESSAGING.md, "Routing rules"): the
 * copies and forwards its rules sent are OUT entries whose headers keep the route trail {@code :r}, the last hop
 * naming the rule, beside the IN entry of the message they came from; a message no rule touched has no trail.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RoutedHistoryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    private static List<String> out(NodeManagement m) {
        List<String> l = new ArrayList<>();
        for (HistoryEntry e : m.history(HistoryQuery.builder()
                .direction(HistoryDirection.OUT)
                .max(100)
                .payloads(true)
                .build())) {
            l.add(e.kind() + " " + e.lane() + " " + text(e.payload()) + " "
                    + e.headers().get(":r"));
        }
        return l;
    }

    @Test
    void copiesAndForwardsAreRecordedWithTheirRulesName() throws Exception {
        nodes = fixture.start(Net.MEMORY, (id, b) -> {
            if (id.equals(EndpointNodes.B)) b.history(HistoryOptions.DEFAULT.payloads(16));
        });
        nodes.node(1).join("audit", ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        nodes.bus(0).endpoint("rec", d -> {});
        nodes.bus(1).endpoint("bob", d -> {});
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("tap")
                .priority(2)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copy(Address.parse("a/rec"))));
        rules.add(Rule.named("tap-audit")
                .priority(1)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copyToChannel("audit")));
        rules.add(Rule.named("fwd").match(Match.any().lane(exact("in"))).action(Action.forward(EndpointNodes.A)));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        assertThat(outcome(alice.send(Address.of(EndpointNodes.B, "bob"), EndpointNodes.utf8("x"))))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(nodes.node(0).send(EndpointNodes.B, "in", EndpointNodes.utf8("y"))))
                .isEqualTo(Outcome.PROCESSED);
        nodes.node(1)
                .send(EndpointNodes.A, "plain", EndpointNodes.utf8("z"))
                .accepted()
                .get(60, TimeUnit.SECONDS);
        NodeManagement b = Tether.management(nodes.node(1));
        Await.until(DEADLINE, () -> out(b).size() >= 4, () -> "b's OUT entries " + out(b));
        assertThat(out(b))
                .containsExactlyInAnyOrder(
                        "DIRECT _a.rec x a/alice b:tap",
                        "PUBLISH _c.audit x a/alice b:tap-audit",
                        "DIRECT in y a b:fwd",
                        "DIRECT plain z null");
    }
}
