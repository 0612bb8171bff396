package dev.tether.bus;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.bus.TextPattern.prefix;
import static dev.tether.bus.TextPattern.regex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The routing rule model: building, validation naming the field and the problem, equality, the textual forms. */
class RuleModelTest {
    @Test
    void aRuleIsBuiltStepByStepAndComparedByValue() {
        Rule r = Rule.named("audit-eu-orders")
                .priority(100)
                .match(Match.kind(MessageKind.DIRECT, MessageKind.REQUEST)
                        .recipient(exact("orders"))
                        .header("tenant", prefix("eu-")))
                .action(Action.copy(Address.parse("audit/recorder")));
        Rule same = Rule.named("audit-eu-orders")
                .action(Action.copy(Address.parse("audit/recorder")))
                .match(Match.kind(MessageKind.REQUEST, MessageKind.DIRECT)
                        .header("tenant", prefix("eu-"))
                        .recipient(exact("orders")))
                .priority(100);
        assertThat(r).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(r.enabled(false)).isNotEqualTo(r);
        assertThat(r.isEnabled()).isTrue();
        assertThat(r.match().kinds()).containsExactly(MessageKind.DIRECT, MessageKind.REQUEST);
        assertThat(r.match().headers()).containsEntry("tenant", prefix("eu-"));
        assertThat(r.action().isTerminal()).isFalse();
        assertThat(r.toString())
                .contains("audit-eu-orders", "priority 100", "recipient=exact:orders", "copy(address:audit/recorder)");
        assertThat(Match.kind(MessageKind.values())).isEqualTo(Match.any()); // every kind is no constraint
    }

    @Test
    void patternsRoundTripThroughTheirTextualForm() {
        for (TextPattern p : new TextPattern[] {exact("a:b"), prefix("eu-"), regex("[a-z]+:x")}) {
            assertThat(TextPattern.parse(p.toString())).isEqualTo(p);
        }
        assertThat(TextPattern.parse("plain")).isEqualTo(exact("plain"));
    }

    @Test
    void aBadPatternIsRefusedNamingItsField() {
        assertThatThrownBy(() -> Match.any().recipient(regex("[unclosed")))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.field()).isEqualTo("match.recipient");
                    assertThat(e.problem()).startsWith("regex does not compile");
                });
        assertThatThrownBy(() -> Match.any().header("tenant", regex("a".repeat(TextPattern.MAX_LENGTH + 1))))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.field()).isEqualTo("match.header.tenant");
                    assertThat(e.problem()).isEqualTo("regex pattern of 513 characters, more than 512");
                });
        assertThat(Match.any().lane(regex("a".repeat(TextPattern.MAX_LENGTH))).lane())
                .isNotNull();
        assertThatThrownBy(() -> Match.any().lane(prefix("")))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("routing rule: match.lane: empty prefix pattern"));
        assertThatThrownBy(() -> Match.any().header(":h", exact("x")))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("match.header"));
        assertThatThrownBy(() -> Match.kind())
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("match.kind"));
        Match many = Match.any();
        for (int i = 0; i < Match.MAX_HEADERS; i++) many = many.header("h" + i, exact("v"));
        Match full = many;
        assertThatThrownBy(() -> full.header("one-more", exact("v")))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.problem()).contains("more than 16"));
    }

    @Test
    void badNamesActionsAndTargetsAreRefusedNamingTheField() {
        for (String bad : new String[] {"", "has space", "x".repeat(65), "slash/y", null}) {
            assertThatThrownBy(() -> Rule.named(bad))
                    .isInstanceOfSatisfying(
                            InvalidRuleException.class,
                            e -> assertThat(e.field()).isEqualTo("name"));
        }
        assertThat(Rule.named("x".repeat(64)).name()).hasSize(64);
        assertThatThrownBy(() -> Action.deliverToAgent("bad.agent"))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("action"));
        assertThatThrownBy(() -> Action.deliverToAgent("_reserved")).isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> Action.deliverToHandler("_hello")).isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> Action.copyToChannel("_all")).isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> Action.copy(new Address(NodeId.of("b"), null)))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.problem()).contains("names a node"));
        assertThatThrownBy(() -> Action.deadLetter("")).isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> Action.deadLetter("line\nbreak")).isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> Action.deadLetter("r".repeat(Action.MAX_REASON_LENGTH + 1)))
                .isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> Rule.named("incomplete").requireComplete())
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.rule()).isEqualTo("incomplete");
                    assertThat(e.getMessage()).isEqualTo("routing rule 'incomplete': action: missing");
                });
    }

    @Test
    void aRuleThatWouldOnlyDeliverForwardOrDeadLetterResponsesIsRefused() {
        Match responses = Match.kind(MessageKind.RESPONSE);
        for (Action a :
                new Action[] {Action.deliverToAgent("bob"), Action.forward(NodeId.of("c")), Action.deadLetter("no")}) {
            assertThatThrownBy(() -> Rule.named("r").match(responses).action(a))
                    .isInstanceOfSatisfying(
                            InvalidRuleException.class,
                            e -> assertThat(e.field()).isEqualTo("action"));
            assertThatThrownBy(() -> Rule.named("r").action(a).match(responses))
                    .isInstanceOf(InvalidRuleException.class);
            // with another kind beside it the rule acts on that kind and skips replies
            assertThat(Rule.named("r")
                            .match(Match.kind(MessageKind.RESPONSE, MessageKind.DIRECT))
                            .action(a)
                            .action())
                    .isEqualTo(a);
        }
        assertThat(Rule.named("r").match(responses).action(Action.drop()).action())
                .isEqualTo(Action.drop());
        assertThat(Rule.named("r")
                        .match(responses)
                        .action(Action.copy(Address.parse("a/tap")))
                        .action()
                        .type())
                .isEqualTo(Action.Type.COPY);
    }

    @Test
    void actionsDescribeTheirTarget() {
        assertThat(Action.drop()).hasToString("drop");
        assertThat(Action.deadLetter("too big")).hasToString("deadLetter(too big)");
        assertThat(Action.deliverToAgent("bob")).hasToString("deliver(agent:bob)");
        assertThat(Action.deliverToHandler("quote")).hasToString("deliver(handler:quote)");
        assertThat(Action.forward(NodeId.of("c"))).hasToString("forward(node:c)");
        assertThat(Action.forwardToChannel("prices")).hasToString("forward(channel:prices)");
        assertThat(Action.copy(Address.parse("a/tap"))).isEqualTo(Action.copy(Address.parse("a/tap")));
        assertThat(Action.drop().isTerminal()).isTrue();
    }

    @Test
    void aRuleRoundTripsThroughItsTextualForm() {
        Rule[] rules = {
            Rule.named("audit-eu-orders")
                    .priority(-100)
                    .enabled(false)
                    .match(Match.kind(MessageKind.REQUEST, MessageKind.DIRECT)
                            .senderNode(exact("n1"))
                            .senderAgent(prefix("a"))
                            .recipient(exact("orders"))
                            .handler(regex("quote [0-9]+%\\d"))
                            .lane(prefix("x=y"))
                            .header("tenant", prefix("eu- "))
                            .header("b", exact("tab\there")))
                    .action(Action.copy(Address.parse("audit/recorder"))),
            Rule.named("d").action(Action.deadLetter("EU traffic: 100% quarantined")),
            Rule.named("c")
                    .match(Match.kind(MessageKind.PUBLISH).channel(exact("prices")))
                    .action(Action.drop()),
            Rule.named("h").action(Action.deliverToHandler("quote-v2")),
            Rule.named("a").action(Action.deliverToAgent("bob")),
            Rule.named("f1").action(Action.forward(NodeId.of("n2"))),
            Rule.named("f2").action(Action.forward(Address.parse("n2/bob"))),
            Rule.named("f3").action(Action.forwardToChannel("c")),
            Rule.named("c2").action(Action.copyToChannel("c")),
            Rule.named("w").action(Action.forward(NodeId.of("n2"))).onFullDeadLetterAfter(Duration.ofMillis(2500))
        };
        for (Rule r : rules) {
            String text = r.toText();
            assertThat(text).doesNotContain("  ").doesNotContain("\t");
            assertThat(Rule.parse(text)).as(text).isEqualTo(r);
        }
        assertThat(rules[2].toText()).isEqualTo("name=c kind=publish channel=exact:prices action=drop");
        assertThat(rules[rules.length - 1].toText())
                .isEqualTo("name=w action=forward(node:n2) onFull=deadLetterAfter(2500ms)");
        assertThat(rules[rules.length - 1].onFullDeadLetterAfter()).isEqualTo(Duration.ofMillis(2500));
        assertThat(rules[0].onFullDeadLetterAfter()).as("no bound").isNull();
        assertThat(Rule.parse("name=x action=drop header.t=eu-"))
                .isEqualTo(Rule.named("x")
                        .match(Match.any().header("t", exact("eu-")))
                        .action(Action.drop()));
    }

    /** MESSAGING.md, "Routing rules": a full target is waited for at most 365 days, refused beyond, never overflowing. */
    @Test
    void theWaitForAFullTargetIsBoundedAtAYear() {
        Rule forward = Rule.named("w").action(Action.forward(NodeId.of("n2")));
        Duration year = Duration.ofDays(Rule.MAX_FULL_WAIT_DAYS);
        assertThat(forward.onFullDeadLetterAfter(year).onFullDeadLetterAfter()).isEqualTo(year);
        for (Duration tooLong : new Duration[] {year.plusMillis(1), Duration.ofSeconds(Long.MAX_VALUE)}) {
            assertThatThrownBy(() -> forward.onFullDeadLetterAfter(tooLong))
                    .as(tooLong.toString())
                    .isInstanceOfSatisfying(
                            InvalidRuleException.class,
                            e -> assertThat(e.field()).isEqualTo("onFull"))
                    .hasMessageContaining("expected 1 ms to 365 days");
        }
        long overAYear = year.toMillis() + 1;
        assertThatThrownBy(
                        () -> Rule.parse("name=w action=forward(node:n2) onFull=deadLetterAfter(" + overAYear + "ms)"))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("onFull"));
        assertThatThrownBy(() ->
                        Rule.parse("name=w action=forward(node:n2) onFull=deadLetterAfter(99999999999999999999ms)"))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("onFull"));
    }

    @Test
    void badRuleTextIsRefusedNamingTheField() {
        String[][] cases = {
            {"", "name"},
            {"priority=1 action=drop", "name"},
            {"name=x", "action"},
            {"name=bad/name action=drop", "name"},
            {"name=x action=explode", "action"},
            {"name=x action=deliver(agent:_sys)", "action"},
            {"name=x action=forward(node:)", "action"},
            {"name=x action=deadLetter()", "action"},
            {"name=x priority=high action=drop", "priority"},
            {"name=x enabled=yes action=drop", "enabled"},
            {"name=x kind=direct,letter action=drop", "match.kind"},
            {"name=x recipient=regex:[a action=drop", "match.recipient"},
            {"name=x colour=red action=drop", "colour"},
            {"name=x name=y action=drop", "name"},
            {"name=x header.t=%zz action=drop", "header.t"},
            {"name=x lane", "text"},
            {"name=x action=drop onFull=deadLetterAfter(2s)", "onFull"},
            {"name=x action=drop onFull=deadLetterAfter(0ms)", "onFull"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> Rule.parse(c[0]))
                    .as(c[0])
                    .isInstanceOfSatisfying(
                            InvalidRuleException.class,
                            e -> assertThat(e.field()).isEqualTo(c[1]));
        }
    }
}
