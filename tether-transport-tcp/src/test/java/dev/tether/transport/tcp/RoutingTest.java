package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.bus.TextPattern.prefix;
import static dev.tether.bus.TextPattern.regex;
import static dev.tether.transport.tcp.EndpointNodes.outcome;
import static dev.tether.transport.tcp.EndpointNodes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.bus.InvalidRuleException;
import dev.tether.bus.Match;
import dev.tether.bus.MessageKind;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.bus.RuleStats;
import dev.tether.management.DeadLetterEntry;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Routing rules at the receiving node (docs/MESSAGING.md, "Routing rules"): drop, dead-letter and deliver, copy and
 * forward (sent with the settlement, once per destination; hop counts and loops), overlapping rules, changes while
 * traffic flows, and Tether's own traffic left alone. Two real nodes with in-memory stores, on
 * the in-memory transport and over TCP; each rule acts on a remote sender's messages and on local ones (loopback).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RoutingTest {
    private static final NodeId A = EndpointNodes.A;
    private static final NodeId B = EndpointNodes.B;

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    @ParameterizedTest
    @EnumSource(Net.class)
    void aDroppedMessageIsSettledAsDroppedCountedUnderItsRuleAndNeverReachesTheEndpoint(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Endpoint bert = nodes.bus(1).endpoint("bert", d -> {});
        nodes.bus(1)
                .rules()
                .add(Rule.named("no-spam")
                        .priority(10)
                        .match(Match.kind(MessageKind.DIRECT)
                                .recipient(exact("bob"))
                                .header("spam", exact("yes")))
                        .action(Action.drop()));
        List<SendReceipt> receipts = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean spam = i % 3 == 0;
            Endpoint from = i % 2 == 0 ? alice : bert; // remote and local senders
            receipts.add(from.send(
                    Address.of(B, "bob"), null, spam ? Map.of("spam", "yes") : Map.of(), EndpointNodes.utf8("m" + i)));
            if (!spam) expected.add("m" + i);
        }
        int dropped = 0;
        for (int i = 0; i < receipts.size(); i++) {
            Outcome o = outcome(receipts.get(i));
            assertThat(o).as("m" + i).isEqualTo(i % 3 == 0 ? Outcome.DROPPED : Outcome.PROCESSED);
            if (o == Outcome.DROPPED) dropped++;
        }
        assertThat(atBob).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(nodes.bus(1).rules().stats()).containsExactly(new RuleStats("no-spam", dropped, 0));
        assertThat(nodes.bus(0).rules().list()).as("rules are per node").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aDeadLetterRuleStoresTheMessageAtOnceWithTheRulesNameAndReason(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        nodes.bus(1)
                .rules()
                .add(Rule.named("quarantine-eu")
                        .match(Match.any().header("tenant", prefix("eu-")))
                        .action(Action.deadLetter("EU traffic is quarantined")));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        SendReceipt eu = alice.send(Address.of(B, "bob"), null, Map.of("tenant", "eu-7"), EndpointNodes.utf8("eu"));
        SendReceipt us = alice.send(Address.of(B, "bob"), null, Map.of("tenant", "us-1"), EndpointNodes.utf8("us"));
        SendReceipt local = nodes.bus(1).send(Address.of(B, "bob"), EndpointNodes.utf8("local"));
        assertThat(outcome(eu)).isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(outcome(us)).isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(local)).isEqualTo(Outcome.PROCESSED);
        assertThat(atBob).containsExactlyInAnyOrder("us", "local");
        List<DeadLetterEntry> dead = Tether.management(nodes.node(1)).deadLetters(10, true);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).reason()).isEqualTo("rule quarantine-eu: EU traffic is quarantined");
        assertThat(dead.get(0).attempts()).as("not retried").isEqualTo(1);
        assertThat(dead.get(0).from()).isEqualTo(A);
        assertThat(text(dead.get(0).payload())).isEqualTo("eu");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void deliverHandsTheMessageToAnotherEndpointOrHandlerAndAMissingTargetDeadLetters(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> atBob = new CopyOnWriteArrayList<>();
        List<String> atCarol = new CopyOnWriteArrayList<>();
        List<String> atAudit = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        nodes.bus(1)
                .endpoint(
                        "carol",
                        d -> atCarol.add(d.to().agent() + ":" + d.fromAddress() + ":" + text(d.payloadBytes())));
        nodes.node(1).handle("audit", call -> {
            atAudit.add(call.handler() + ":" + call.kind() + ":" + text(call.payloadBytes()));
            return EndpointNodes.utf8("audited " + text(call.payloadBytes()));
        });
        nodes.node(1).handle("quote", call -> EndpointNodes.utf8("quote"));
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("to-carol")
                .match(Match.kind(MessageKind.DIRECT).header("route", exact("carol")))
                .action(Action.deliverToAgent("carol")));
        rules.add(Rule.named("to-audit")
                .match(Match.any().header("route", exact("audit")))
                .action(Action.deliverToHandler("audit")));
        rules.add(Rule.named("quotes-audited")
                .match(Match.kind(MessageKind.REQUEST).handler(exact("quote")))
                .action(Action.deliverToHandler("audit")));
        rules.add(Rule.named("to-nobody")
                .match(Match.any().header("route", exact("nobody")))
                .action(Action.deliverToAgent("nobody")));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Address bob = Address.of(B, "bob");
        assertThat(outcome(alice.send(bob, null, Map.of("route", "carol"), EndpointNodes.utf8("1"))))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(alice.send(bob, null, Map.of("route", "audit"), EndpointNodes.utf8("2"))))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(alice.send(bob, null, Map.of("route", "nobody"), EndpointNodes.utf8("3"))))
                .isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(outcome(alice.send(bob, null, Map.of(), EndpointNodes.utf8("4"))))
                .isEqualTo(Outcome.PROCESSED);
        byte[] reply = nodes.node(0)
                .call(B, "quote")
                .request(EndpointNodes.utf8("5"))
                .get(60, TimeUnit.SECONDS)
                .payloadBytes();
        assertThat(text(reply))
                .as("the request is answered by the handler the rule chose")
                .isEqualTo("audited 5");

        assertThat(atCarol).containsExactly("carol:a/alice:1");
        assertThat(atAudit).containsExactly("audit:TELL:2", "audit:REQUEST:5");
        assertThat(atBob).containsExactly("4");
        List<DeadLetterEntry> dead = Tether.management(nodes.node(1)).deadLetters(10, false);
        assertThat(dead)
                .extracting(DeadLetterEntry::reason)
                .containsExactly("rule to-nobody: deliver(agent:nobody): no endpoint 'nobody' on this node");
    }

    @Test
    void overlappingRulesTheFirstTerminalOneByPriorityThenNameDecides() throws Exception {
        nodes = fixture.start(Net.MEMORY);
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("b-drop-tenants")
                .priority(5)
                .match(Match.any().header("tenant", regex(".+")))
                .action(Action.drop()));
        rules.add(Rule.named("a-dead-x")
                .priority(5)
                .match(Match.any().header("tenant", prefix("x-")))
                .action(Action.deadLetter("x")));
        rules.add(Rule.named("keep-vip")
                .priority(9)
                .match(Match.any().header("vip", exact("1")))
                .action(Action.deliverToAgent("bob")));
        rules.add(Rule.named("off")
                .priority(99)
                .match(Match.any())
                .action(Action.drop())
                .enabled(false));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Address bob = Address.of(B, "bob");
        Map<String, Map<String, String>> cases = Map.of(
                "plain", Map.of(),
                "x", Map.of("tenant", "x-1"),
                "y", Map.of("tenant", "y-1"),
                "vip-x", Map.of("tenant", "x-1", "vip", "1"));
        Map<String, Outcome> expected = Map.of(
                "plain", Outcome.PROCESSED, // no rule matches
                "x", Outcome.DEAD_LETTERED, // both priority-5 rules match: a-dead-x is first by name
                "y", Outcome.DROPPED,
                "vip-x", Outcome.PROCESSED); // keep-vip is above both and delivers to bob, as addressed
        for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
            Outcome o = outcome(alice.send(bob, null, c.getValue(), EndpointNodes.utf8(c.getKey())));
            assertThat(o).as(c.getKey()).isEqualTo(expected.get(c.getKey()));
        }
        assertThat(atBob).containsExactlyInAnyOrder("plain", "vip-x");
        assertThat(rules.stats())
                .as("in evaluation order, the disabled rule too")
                .containsExactly(
                        new RuleStats("off", 0, 0),
                        new RuleStats("keep-vip", 1, 0),
                        new RuleStats("a-dead-x", 1, 0),
                        new RuleStats("b-drop-tenants", 1, 0));
        assertThat(rules.list().get(0).isEnabled()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void rulesChangedWhileTrafficFlowsRouteEachMessageByOneSnapshot(Net net) throws Exception {
        nodes = fixture.start(net);
        Random random = new Random(fixture.seed());
        List<Integer> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(Integer.parseInt(d.headers().get("n"))));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Endpoint bert = nodes.bus(1).endpoint("bert", d -> {});
        RoutingRules rules = nodes.bus(1).rules();
        Rule dropOdd = Rule.named("drop-odd")
                .match(Match.any().recipient(exact("bob")).header("n", regex("[0-9]*[13579]")))
                .action(Action.drop());
        int total = 3_000;
        List<SendReceipt> receipts = new ArrayList<>();
        Thread changer = new Thread(() -> {
            Random r = new Random(fixture.seed() + 1);
            while (!Thread.currentThread().isInterrupted()) {
                switch (r.nextInt(4)) {
                    case 0 -> rules.remove("drop-odd");
                    case 1 -> rules.disable("drop-odd");
                    case 2 -> rules.enable("drop-odd");
                    default -> {
                        if (!rules.enable("drop-odd")) rules.add(dropOdd);
                    }
                }
            }
        });
        changer.start();
        try {
            for (int n = 0; n < total; n++) {
                Endpoint from = random.nextBoolean() ? alice : bert;
                receipts.add(from.send(
                        Address.of(B, "bob"), null, Map.of("n", Integer.toString(n)), EndpointNodes.utf8("")));
            }
            for (SendReceipt r : receipts) r.processed().get(60, TimeUnit.SECONDS);
        } finally {
            changer.interrupt();
            changer.join();
        }
        List<Integer> processed = new ArrayList<>();
        int dropped = 0;
        for (int n = 0; n < total; n++) {
            Outcome o = outcome(receipts.get(n));
            if (o == Outcome.PROCESSED) processed.add(n);
            else {
                assertThat(o).as("n=" + n).isEqualTo(Outcome.DROPPED);
                assertThat(n % 2).as("only odd ones are dropped, n=" + n).isEqualTo(1);
                dropped++;
            }
        }
        assertThat(atBob)
                .as("each processed message once, none of the dropped")
                .containsExactlyInAnyOrderElementsOf(processed);
        assertThat(processed)
                .filteredOn(isEven().negate())
                .as("some odd ones passed while the rule was off")
                .isNotEmpty();
        assertThat(dropped).as("some were dropped while it was on").isPositive();
        long counted = rules.stats().stream().mapToLong(RuleStats::matched).sum();
        assertThat(counted).as("counted since the rule was last added").isLessThanOrEqualTo(dropped);
    }

    private static Predicate<Integer> isEven() {
        return n -> n % 2 == 0;
    }

    @Test
    void tetherOwnTrafficPassesARuleThatDropsEverything() throws Exception {
        nodes = fixture.start(Net.MEMORY);
        nodes.bus(0)
                .rules()
                .add(Rule.named("drop-all").priority(1_000).match(Match.any()).action(Action.drop()));
        // b advertises its new handler to a on Tether's own lane: the rule at a does not see it
        nodes.node(1).handle("late", call -> EndpointNodes.utf8("ok"));
        nodes.node(0).awaitHandler(B, "late", Duration.ofSeconds(60)).get(60, TimeUnit.SECONDS);
        // the application's message is dropped at a, and b learns it was not processed
        SendReceipt r = nodes.node(1).send(A, "orders", EndpointNodes.utf8("x"));
        assertThat(outcome(r)).isEqualTo(Outcome.DROPPED);
        assertThat(nodes.bus(0).rules().stats()).containsExactly(new RuleStats("drop-all", 1, 0));
    }

    @Test
    void badRulesAreRefusedAndChangeNothing() {
        nodes = fixture.start(Net.MEMORY);
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("x").action(Action.drop()));
        assertThatThrownBy(() -> rules.add(Rule.named("x").action(Action.deadLetter("again"))))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> rules.add(Rule.named("tap").action(Action.copyToChannel("_all"))))
                .as("a reserved channel")
                .isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> rules.add(Rule.named("fwd")
                        .match(Match.kind(MessageKind.REQUEST))
                        .action(Action.forwardToChannel("audit"))))
                .as("a forwarded request's reply could not find its caller")
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("action"));
        assertThatThrownBy(() -> rules.add(
                        Rule.named("fwd").match(Match.kind(MessageKind.REQUEST)).action(Action.forward(A))))
                .as("a forwarded request's reply could not find its caller")
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("action"));
        assertThatThrownBy(() -> rules.replace(Rule.named("y").action(Action.drop())))
                .isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> rules.add(Rule.named("z"))).isInstanceOf(InvalidRuleException.class);
        assertThat(rules.remove("nothing")).isFalse();
        assertThat(rules.enable("nothing")).isFalse();
        assertThat(rules.list()).containsExactly(Rule.named("x").action(Action.drop()));
        rules.add(Rule.named("tap").action(Action.copy(Address.parse("a/rec")))); // built: accepted
        rules.add(Rule.named("fwd").action(Action.forward(A)));
        assertThat(rules.remove("tap") && rules.remove("fwd")).isTrue();
        assertThat(rules.remove("x")).isTrue();
        assertThat(rules.list()).isEmpty();
    }

    // ---- copy and forward (E7) ----

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** Sends "end" from {@code from} to b/bob and waits until {@code copies} has it: every copy before it arrived. */
    private static void sendEndAndAwaitItsCopy(Endpoint from, List<String> copies) throws Exception {
        assertThat(outcome(from.send(Address.of(B, "bob"), EndpointNodes.utf8("end"))))
                .isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> copies.contains("end"), () -> "the copy of 'end' arrived: " + copies);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void copiesAreSentWhenTheMessageSettlesOncePerDestinationAfterFailedAttemptsToo(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> atRecorder = new CopyOnWriteArrayList<>();
        List<String> atAudit = new CopyOnWriteArrayList<>();
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(0).endpoint("recorder", d -> atRecorder.add(text(d.payloadBytes()) + "<" + d.fromAddress()));
        nodes.bus(1).endpoint("audit", d -> atAudit.add(text(d.payloadBytes())));
        nodes.bus(1).endpoint("bob", d -> {
            String p = text(d.payloadBytes());
            if (p.startsWith("f") && d.attempt() == 1) throw new IllegalStateException("first attempt fails");
            atBob.add(p);
        });
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("tap")
                .priority(10)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copy(Address.parse("a/recorder")))); // remote
        rules.add(Rule.named("tap-local")
                .priority(9)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copy(Address.parse("b/audit")))); // this node: a loopback stream
        rules.add(Rule.named("tap-again")
                .priority(8)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copy(Address.parse("a/recorder")))); // the same destination: once
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Endpoint bert = nodes.bus(1).endpoint("bert", d -> {});
        List<SendReceipt> receipts = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String p = (i % 2 == 0 ? "f" : "s") + i; // the f ones fail their first attempt
            sent.add(p);
            receipts.add((i % 3 == 0 ? bert : alice).send(Address.of(B, "bob"), EndpointNodes.utf8(p)));
        }
        for (SendReceipt r : receipts) assertThat(outcome(r)).isEqualTo(Outcome.PROCESSED);
        sendEndAndAwaitItsCopy(alice, atAudit);
        Await.until(DEADLINE, () -> atRecorder.contains("end<b"), () -> "the copy of 'end' at a: " + atRecorder);

        List<String> all = new ArrayList<>(sent);
        all.add("end");
        assertThat(atBob).containsExactlyInAnyOrderElementsOf(all);
        assertThat(atAudit)
                .as("each message copied once, none per failed attempt")
                .containsExactlyInAnyOrderElementsOf(all);
        List<String> fromB = new ArrayList<>();
        for (String p : all) fromB.add(p + "<b"); // a copy comes from the node whose rule sent it
        assertThat(atRecorder).containsExactlyInAnyOrderElementsOf(fromB);
        assertThat(rules.stats())
                .as("a routing decision per attempt: 21 messages, 10 failed first attempts; the duplicate never counts")
                .containsExactly(
                        new RuleStats("tap", 31, 0),
                        new RuleStats("tap-local", 31, 0),
                        new RuleStats("tap-again", 0, 0));
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aDeadLetteredMessageIsCopiedWithItsDeadLetterAndADroppedOneIsNot(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> atRecorder = new CopyOnWriteArrayList<>();
        nodes.bus(0).endpoint("recorder", d -> atRecorder.add(text(d.payloadBytes())));
        nodes.bus(1).endpoint("bob", d -> {
            if (text(d.payloadBytes()).equals("poison")) throw new IllegalStateException("always fails");
        });
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("tap")
                .priority(10)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copy(Address.parse("a/recorder"))));
        rules.add(Rule.named("quarantine")
                .match(Match.any().header("q", exact("1")))
                .action(Action.deadLetter("quarantined")));
        rules.add(
                Rule.named("spam").match(Match.any().header("spam", exact("1"))).action(Action.drop()));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Address bob = Address.of(B, "bob");
        SendReceipt ok = alice.send(bob, EndpointNodes.utf8("ok"));
        SendReceipt q = alice.send(bob, null, Map.of("q", "1"), EndpointNodes.utf8("q"));
        SendReceipt spam = alice.send(bob, null, Map.of("spam", "1"), EndpointNodes.utf8("spam"));
        SendReceipt poison = alice.send(bob, EndpointNodes.utf8("poison")); // 5 attempts, then dead-lettered
        assertThat(outcome(ok)).isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(q)).isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(outcome(spam)).isEqualTo(Outcome.DROPPED);
        assertThat(outcome(poison)).isEqualTo(Outcome.DEAD_LETTERED);
        sendEndAndAwaitItsCopy(alice, atRecorder);

        assertThat(atRecorder)
                .as("in the order their messages settled; the dead letters' once, the dropped one's never")
                .containsExactly("ok", "q", "poison", "end");
        assertThat(Tether.management(nodes.node(1)).deadLetters(10, false))
                .extracting(DeadLetterEntry::reason)
                .containsExactlyInAnyOrder(
                        "rule quarantine: quarantined", "java.lang.IllegalStateException: always fails");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void forwardSendsTheMessageOnToANodeOrAnEndpointWithItsHopCountAndTrail(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> atAlice = new CopyOnWriteArrayList<>();
        nodes.bus(0).endpoint("alice", d -> atAlice.add(text(d.payloadBytes()) + "<" + d.fromAddress() + d.headers()));
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("orders-to-a")
                .match(Match.any().lane(exact("orders")))
                .action(Action.forward(A)));
        rules.add(Rule.named("bob-to-alice")
                .match(Match.kind(MessageKind.DIRECT).recipient(exact("bob")).header("fwd", exact("1")))
                .action(Action.forward(Address.parse("a/alice"))));

        SendReceipt order = nodes.node(0)
                .send(dev.tether.OutboundMessage.to(B)
                        .lane("orders")
                        .header("k", "v")
                        .payload(EndpointNodes.utf8("o1"))
                        .build());
        assertThat(outcome(order)).as("taken care of by b, which sent it on").isEqualTo(Outcome.PROCESSED);
        dev.tether.Delivery d = nodes.node(0).receive(DEADLINE);
        assertThat(d).as("the forward reached a's own queue").isNotNull();
        assertThat(d.from()).isEqualTo(B);
        assertThat(d.lane()).isEqualTo("orders");
        assertThat(text(d.payloadBytes())).isEqualTo("o1");
        assertThat(d.headers()).containsEntry("k", "v").containsEntry(":n", "1").containsEntry(":r", "a b:orders-to-a");
        d.ack();

        Endpoint carl = nodes.bus(1).endpoint("carl", x -> {});
        assertThat(outcome(carl.send(Address.of(B, "bob"), null, Map.of("fwd", "1"), EndpointNodes.utf8("x"))))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(outcome(carl.send(Address.of(B, "bob"), EndpointNodes.utf8("y"))))
                .isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> atAlice.size() == 1, () -> "the forward reached alice: " + atAlice);
        assertThat(atAlice).containsExactly("x<b{fwd=1}");
        assertThat(atBob).containsExactly("y");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aForwardToAnUnknownNodeOrMissingEndpointIsDeadLetteredAndACopyThereIsLeftOut(Net net) throws Exception {
        nodes = fixture.start(net);
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("to-zed")
                .match(Match.any().header("to", exact("zed")))
                .action(Action.forward(NodeId.of("zed"))));
        rules.add(Rule.named("to-ghost")
                .match(Match.any().header("to", exact("ghost")))
                .action(Action.forward(Address.parse("b/ghost"))));
        rules.add(Rule.named("tap-zed")
                .priority(10)
                .match(Match.any().header("tap", exact("zed")))
                .action(Action.copy(Address.parse("zed/rec"))));
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Address bob = Address.of(B, "bob");
        assertThat(outcome(alice.send(bob, null, Map.of("to", "zed"), EndpointNodes.utf8("1"))))
                .isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(outcome(alice.send(bob, null, Map.of("to", "ghost"), EndpointNodes.utf8("2"))))
                .isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(outcome(alice.send(bob, null, Map.of("tap", "zed"), EndpointNodes.utf8("3"))))
                .as("a tap that cannot be sent to does not stop the message")
                .isEqualTo(Outcome.PROCESSED);
        assertThat(atBob).containsExactly("3");
        List<String> reasons = new ArrayList<>();
        for (DeadLetterEntry e : Tether.management(nodes.node(1)).deadLetters(10, false)) reasons.add(e.reason());
        assertThat(reasons).hasSize(2);
        assertThat(reasons)
                .anySatisfy(r -> assertThat(r).startsWith("rule to-zed: forward(node:zed): unknown peer zed"))
                .contains("rule to-ghost: forward(address:b/ghost): no endpoint 'ghost' on this node");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aLoopBetweenTwoNodesForwardRulesIsDeadLetteredAfterEightHopsWithItsTrail(Net net) throws Exception {
        nodes = fixture.start(net);
        nodes.bus(0)
                .rules()
                .add(Rule.named("a-to-b").match(Match.any().lane(exact("loop"))).action(Action.forward(B)));
        nodes.bus(1)
                .rules()
                .add(Rule.named("b-to-a").match(Match.any().lane(exact("loop"))).action(Action.forward(A)));
        assertThat(outcome(nodes.node(0).send(B, "loop", EndpointNodes.utf8("round"))))
                .isEqualTo(Outcome.PROCESSED);
        Await.until(
                DEADLINE,
                () -> !Tether.management(nodes.node(1)).deadLetters(10, false).isEmpty(),
                () -> "the looping message dead-lettered at b");
        List<DeadLetterEntry> dead = Tether.management(nodes.node(1)).deadLetters(10, true);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).reason())
                .isEqualTo("rule b-to-a: routing loop: 8 hops (a b:b-to-a a:a-to-b b:b-to-a a:a-to-b b:b-to-a a:a-to-b"
                        + " b:b-to-a a:a-to-b)");
        assertThat(dead.get(0).from()).as("the eighth hop came from a").isEqualTo(A);
        assertThat(text(dead.get(0).payload())).isEqualTo("round");
        assertThat(Tether.management(nodes.node(0)).deadLetters(10, false)).isEmpty();
        assertThat(nodes.bus(0).rules().stats()).containsExactly(new RuleStats("a-to-b", 4, 0));
        assertThat(nodes.bus(1).rules().stats()).containsExactly(new RuleStats("b-to-a", 5, 0));
    }
}
