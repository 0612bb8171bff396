package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.bus.TextPattern.regex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.bus.Action;
import dev.tether.bus.Match;
import dev.tether.bus.MessageKind;
import dev.tether.bus.Rule;
import dev.tether.bus.RuleStats;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routing rules on a node's channel traffic and their errors as events (docs/MESSAGING.md, "Routing rules"): a reader
 * whose rules drop some publishes of one channel and dead-letter some broadcasts gets exactly the others, in order;
 * an abandoned regex and a missing deliver target are reported as {@link TetherEvent.RuleError}. Two nodes on the
 * in-memory transport.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RuleTrafficTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final InMemoryNetwork net = new InMemoryNetwork();
    private final List<TetherNode> nodes = new ArrayList<>();
    private final List<String> atB = new CopyOnWriteArrayList<>();
    private final List<TetherEvent> eventsAtB = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
    }

    private TetherNode start(NodeId self, NodeId peer) {
        TetherNode n = Tether.start(TetherConfig.builder(self)
                .peers(peer)
                .transport(net.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .listener(self.equals(B) ? eventsAtB::add : e -> {})
                .handler(d -> {
                    if (self.equals(B)) atB.add(d.lane() + ":" + new String(d.payloadBytes(), StandardCharsets.UTF_8));
                })
                .build());
        nodes.add(n);
        return n;
    }

    @Test
    void rulesDropPublishesOfOneChannelAndDeadLetterBroadcastsAtTheReader() throws Exception {
        TetherNode a = start(A, B);
        TetherNode b = start(B, A);
        a.join("prices", ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        a.join("news", ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        b.join("prices", ChannelRole.READ).get(30, TimeUnit.SECONDS);
        b.join("news", ChannelRole.READ).get(30, TimeUnit.SECONDS);
        Tether.bus(b)
                .rules()
                .add(Rule.named("free-prices")
                        .match(Match.kind(MessageKind.PUBLISH)
                                .channel(exact("prices"))
                                .header("tier", exact("free")))
                        .action(Action.drop()));
        Tether.bus(b)
                .rules()
                .add(Rule.named("no-broadcasts-from-a")
                        .match(Match.kind(MessageKind.BROADCAST).senderNode(exact("a")))
                        .action(Action.deadLetter("broadcasts from a are quarantined")));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Map<String, String> h = i % 3 == 0 ? Map.of("tier", "free") : Map.of("tier", "paid");
            a.publish("prices", h, ("p" + i).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            if (i % 3 != 0) expected.add("_c.prices:p" + i);
            a.publish("news", h, ("n" + i).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            expected.add("_c.news:n" + i); // the rule names channel prices only
        }
        Await.until(DEADLINE, () -> atB.size() >= expected.size(), () -> "b got " + atB);
        assertThat(atB).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(atB.stream().filter(s -> s.startsWith("_c.prices")).toList())
                .as("in order")
                .containsExactlyElementsOf(
                        expected.stream().filter(s -> s.startsWith("_c.prices")).toList());

        for (int i = 0; i < 6; i++) {
            a.broadcast(("b" + i).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        }
        Await.until(
                DEADLINE,
                () -> Tether.management(b).deadLetters(10, false).size() >= 6,
                () -> "dead letters at b: " + Tether.management(b).deadLetters(10, false));
        assertThat(Tether.management(b).deadLetters(10, true))
                .allSatisfy(d -> assertThat(d.reason())
                        .isEqualTo("rule no-broadcasts-from-a: broadcasts from a are" + " quarantined"))
                .extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
                .containsExactly("b0", "b1", "b2", "b3", "b4", "b5");
        assertThat(atB).as("a's broadcasts never reached the handler").noneMatch(s -> s.startsWith("_c._all"));
        assertThat(Tether.bus(b).rules().stats())
                .containsExactly(new RuleStats("free-prices", 10, 0), new RuleStats("no-broadcasts-from-a", 6, 0));
    }

    @Test
    void anAbandonedRegexAndAMissingDeliverTargetAreReportedAsRuleErrors() throws Exception {
        TetherNode a = start(A, B);
        TetherNode b = start(B, A);
        Tether.bus(b)
                .rules()
                .add(Rule.named("evil")
                        .priority(2)
                        .match(Match.any().header("x", regex("(.*a){12}b")))
                        .action(Action.drop()));
        Tether.bus(b)
                .rules()
                .add(Rule.named("to-nobody")
                        .priority(1)
                        .match(Match.any().header("y", exact("1")))
                        .action(Action.deliverToAgent("nobody")));
        Outcome evil = a.send(dev.tether.OutboundMessage.to(B)
                        .lane("l")
                        .header("x", "a".repeat(40))
                        .payload(new byte[] {1})
                        .build())
                .processed()
                .get(30, TimeUnit.SECONDS);
        assertThat(evil).as("abandoned: not matching").isEqualTo(Outcome.PROCESSED);
        Outcome missing = a.send(dev.tether.OutboundMessage.to(B)
                        .lane("l")
                        .header("y", "1")
                        .payload(new byte[] {2})
                        .build())
                .processed()
                .get(30, TimeUnit.SECONDS);
        assertThat(missing).isEqualTo(Outcome.DEAD_LETTERED);
        Await.until(
                DEADLINE,
                () -> eventsAtB.stream()
                                .filter(e -> e instanceof TetherEvent.RuleError)
                                .count()
                        >= 2,
                () -> "events at b: " + eventsAtB);
        List<TetherEvent.RuleError> errors = eventsAtB.stream()
                .filter(e -> e instanceof TetherEvent.RuleError)
                .map(e -> (TetherEvent.RuleError) e)
                .toList();
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).rule()).isEqualTo("evil");
        assertThat(errors.get(0).problem())
                .isEqualTo("match.header.x: the regular expression read more than 100000 characters of a value of 40"
                        + " characters and was abandoned as not matching");
        assertThat(errors.get(1).rule()).isEqualTo("to-nobody");
        assertThat(errors.get(1).problem())
                .isEqualTo("deliver(agent:nobody): no endpoint 'nobody' on this node; the message was dead-lettered");
        assertThat(Tether.bus(b).rules().stats())
                .containsExactly(new RuleStats("evil", 0, 1), new RuleStats("to-nobody", 1, 0));
    }
}
