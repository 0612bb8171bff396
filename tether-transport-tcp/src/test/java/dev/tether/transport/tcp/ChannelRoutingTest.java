package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.transport.tcp.EndpointNodes.outcome;
import static dev.tether.transport.tcp.EndpointNodes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.ChannelOptions.WhenFull;
import dev.tether.ChannelRole;
import dev.tether.MessageId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.bus.Match;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.management.DeadLetterEntry;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Routing rules that copy and forward to a channel (docs/MESSAGING.md, "Routing rules"): the router publishes the
 * copy or forward on its own log of the channel, with the settlement, so every reader gets each once, in the order
 * the router settled the messages of a stream, with the hop count and trail; a node that may not publish on the
 * channel (never joined it, joined it to read only, kicked from it) leaves a copy out and dead-letters a forward, with
 * the reason. Router b, reader a; in memory and over TCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ChannelRoutingTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    @ParameterizedTest
    @EnumSource(Net.class)
    void copiesAndForwardsToAChannelReachItsReaderOnceInOrderWithTheirHopsAndTrail(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> audit = new CopyOnWriteArrayList<>();
        List<String> feed = new CopyOnWriteArrayList<>();
        aReadsWhatBWrites(audit, feed);
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> {
            String p = text(d.payloadBytes());
            if (p.startsWith("f") && failedOnce.add(p)) throw new IllegalStateException("first attempt of " + p);
            atBob.add(p);
        });
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("tap").match(Match.any().recipient(exact("bob"))).action(Action.copyToChannel("audit")));
        rules.add(Rule.named("orders-feed")
                .match(Match.any().lane(exact("orders")))
                .action(Action.forwardToChannel("feed")));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Endpoint bert = nodes.bus(1).endpoint("bert", d -> {});
        List<SendReceipt> receipts = new ArrayList<>();
        List<String> fromAlice = new ArrayList<>();
        List<String> fromBert = new ArrayList<>();
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String p = (i % 3 == 0 ? "f" : "s") + i; // the f ones fail their first attempt at bob
            boolean remote = i % 4 != 0;
            Endpoint from = remote ? alice : bert;
            receipts.add(
                    from.send(Address.of(EndpointNodes.B, "bob"), null, Map.of("k", "v" + i), EndpointNodes.utf8(p)));
            (remote ? fromAlice : fromBert).add(p + " 1 " + (remote ? "a/alice" : "b/bert") + " b:tap v" + i);
            String o = "o" + i;
            receipts.add(nodes.node(0).send(EndpointNodes.B, "orders", EndpointNodes.utf8(o)));
            orders.add(o + " 1 a b:orders-feed");
        }
        for (SendReceipt r : receipts) assertThat(outcome(r)).isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> audit.size() >= 40 && feed.size() >= 40, () -> "audit " + audit + " feed " + feed);

        assertThat(feed).as("each forward once, in the order of its stream").containsExactlyElementsOf(orders);
        assertThat(audit.stream().filter(s -> s.contains("a/alice")).toList())
                .as("each copy once, in the order of its stream, none per failed attempt")
                .containsExactlyElementsOf(fromAlice);
        assertThat(audit.stream().filter(s -> s.contains("b/bert")).toList()).containsExactlyElementsOf(fromBert);
        assertThat(audit).hasSize(40);
        assertThat(atBob).hasSize(40);
        assertThat(nodes.node(1).receive(Duration.ZERO))
                .as("forwarded, not delivered at b")
                .isNull();
    }

    @Test
    void aNodeThatMayNotPublishLeavesTheCopyOutAndDeadLettersTheForwardWithTheReason() throws Exception {
        nodes = fixture.start(Net.MEMORY);
        nodes.node(0).join("audit", ChannelRole.READ).get(30, TimeUnit.SECONDS);
        nodes.node(1).join("audit", ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        nodes.node(1).join("ro", ChannelRole.READ).get(30, TimeUnit.SECONDS);
        List<String> audit = new CopyOnWriteArrayList<>();
        nodes.node(0).handleChannel("audit", d -> audit.add(text(d.payloadBytes())));
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("tap-audit")
                .priority(3)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copyToChannel("audit")));
        rules.add(Rule.named("tap-nope")
                .priority(2)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copyToChannel("nope")));
        rules.add(Rule.named("tap-ro")
                .priority(1)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copyToChannel("ro")));
        rules.add(Rule.named("fwd-nope")
                .match(Match.any().header("fwd", exact("1")))
                .action(Action.forwardToChannel("nope")));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Address bob = Address.of(EndpointNodes.B, "bob");
        assertThat(outcome(alice.send(bob, EndpointNodes.utf8("one")))).isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(alice.send(bob, null, Map.of("fwd", "1"), EndpointNodes.utf8("two"))))
                .isEqualTo(Outcome.DEAD_LETTERED);
        Await.until(DEADLINE, () -> audit.size() >= 2, () -> "audit " + audit);
        assertThat(audit)
                .as("the copy this node may publish, dead letter or not")
                .containsExactly("one", "two");
        assertThat(atBob).containsExactly("one");
        assertThat(Tether.management(nodes.node(1)).deadLetters(10, false))
                .extracting(DeadLetterEntry::reason)
                .containsExactly("rule fwd-nope: forward(channel:nope): node b cannot publish on channel 'nope': it did"
                        + " not join it");
        Await.until(DEADLINE, () -> ruleErrors().size() >= 4, () -> "rule errors " + ruleErrors());
        assertThat(ruleErrors())
                .contains(
                        "tap-nope: copy(channel:nope): node b cannot publish on channel 'nope': it did not join it; no"
                                + " copy was sent",
                        "tap-ro: copy(channel:ro): node b cannot publish on channel 'ro': it joined it READ; no copy"
                                + " was sent");

        bKickedFromAuditThenACopyThereIsLeftOut(alice, atBob, audit);
    }

    /**
     * docs/MESSAGING.md, "Routing rules" and "Backpressure": a channel log that rejects when full does not refuse routed
     * copies (effects of a settlement, never refused); they take room from later publishes instead.
     */
    @Test
    void aChannelThatRejectsWhenFullDoesNotRefuseRoutedCopies() throws Exception {
        nodes = fixture.start(Net.MEMORY);
        CountDownLatch release = new CountDownLatch(1);
        List<String> audit = new CopyOnWriteArrayList<>();
        nodes.node(0).handleChannel("audit", d -> {
            if (!release.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
            audit.add(text(d.payloadBytes()));
        });
        nodes.node(0).join("audit", ChannelRole.READ).get(30, TimeUnit.SECONDS);
        nodes.node(1)
                .channelOptions(
                        "audit", ChannelOptions.unlimited().withMaxMessages(2).whenFull(WhenFull.REJECT));
        nodes.node(1).join("audit", ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        nodes.node(1).publish("audit", EndpointNodes.utf8("p0")).get(30, TimeUnit.SECONDS);
        nodes.node(1).publish("audit", EndpointNodes.utf8("p1")).get(30, TimeUnit.SECONDS); // full: a holds p0
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        nodes.bus(1)
                .rules()
                .add(Rule.named("tap")
                        .match(Match.any().recipient(exact("bob")))
                        .action(Action.copyToChannel("audit")));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        for (int i = 0; i < 5; i++) {
            assertThat(outcome(alice.send(Address.of(EndpointNodes.B, "bob"), EndpointNodes.utf8("c" + i))))
                    .isEqualTo(Outcome.PROCESSED);
        }
        assertThat(atBob).containsExactly("c0", "c1", "c2", "c3", "c4");
        CompletableFuture<MessageId> refused = nodes.node(1).publish("audit", EndpointNodes.utf8("late"));
        assertThatThrownBy(() -> refused.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ChannelFullException.class)
                .hasMessageContaining("channel audit is full: it holds 7 messages of 2");
        release.countDown();
        Await.until(DEADLINE, () -> audit.size() >= 7, () -> "audit " + audit);
        assertThat(audit).containsExactly("p0", "p1", "c0", "c1", "c2", "c3", "c4");
        assertThat(nodes.node(1).stats().publishesRejected()).isEqualTo(1);
        assertThat(ruleErrors()).isEmpty();
    }

    private void bKickedFromAuditThenACopyThereIsLeftOut(Endpoint alice, List<String> atBob, List<String> audit)
            throws Exception {
        Tether.management(nodes.node(0)).kick(EndpointNodes.B, "audit");
        Await.until(
                DEADLINE,
                () -> nodes.events(1).stream().anyMatch(e -> e instanceof TetherEvent.ChannelKicked),
                () -> "b kicked from audit");
        assertThat(outcome(alice.send(Address.of(EndpointNodes.B, "bob"), EndpointNodes.utf8("three"))))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(atBob).containsExactly("one", "three");
        Await.until(
                DEADLINE,
                () -> ruleErrors().stream().anyMatch(e -> e.startsWith("tap-audit:")),
                () -> "rule errors " + ruleErrors());
        assertThat(ruleErrors().stream().filter(e -> e.startsWith("tap-audit:")))
                .containsExactly("tap-audit: copy(channel:audit): node b was kicked from channel 'audit' by a and may"
                        + " not join it until an operator re-admits it; no copy was sent");
        assertThat(audit).as("a kicked node publishes no copy").containsExactly("one", "two");
    }

    /** a reads channels audit and feed (into the lists given), which b joins to write. */
    private void aReadsWhatBWrites(List<String> audit, List<String> feed) throws Exception {
        nodes.node(0)
                .handleChannel(
                        "audit",
                        d -> audit.add(text(d.payloadBytes()) + " "
                                + d.headers().get(":n") + " " + d.headers().get(":r") + " "
                                + d.headers().get("k")));
        nodes.node(0)
                .handleChannel(
                        "feed",
                        d -> feed.add(text(d.payloadBytes()) + " " + d.headers().get(":n") + " "
                                + d.headers().get(":r")));
        nodes.node(0).join("audit", ChannelRole.READ).get(30, TimeUnit.SECONDS);
        nodes.node(0).join("feed", ChannelRole.READ).get(30, TimeUnit.SECONDS);
        nodes.node(1).join("audit", ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        nodes.node(1).join("feed", ChannelRole.READ_WRITE).get(30, TimeUnit.SECONDS);
    }

    private List<String> ruleErrors() {
        List<String> l = new ArrayList<>();
        for (TetherEvent e : nodes.events(1)) {
            if (e instanceof TetherEvent.RuleError r) l.add(r.rule() + ": " + r.problem());
        }
        return l;
    }
}
