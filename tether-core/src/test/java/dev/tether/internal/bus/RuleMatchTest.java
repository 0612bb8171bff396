package dev.tether.internal.bus;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.bus.TextPattern.prefix;
import static dev.tether.bus.TextPattern.regex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.InvalidRuleException;
import dev.tether.bus.Match;
import dev.tether.bus.MessageKind;
import dev.tether.bus.Rule;
import dev.tether.internal.engine.StreamKey;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Matching of routing rules at the receiving node (docs/BUS-DESIGN.md, sections 2.1-2.3): every field and pattern
 * type, the kinds as lanes and headers give them, Tether's own traffic, overlaps and ties, the regex budget, and the
 * snapshots and the candidate cache.
 */
class RuleMatchTest {
    private final RouteTable table = new RouteTable();

    private static StreamKey key(String node, String lane) {
        return new StreamKey(NodeId.of(node), lane);
    }

    private static Map<String, String> headers(String... kv) {
        Map<String, String> h = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) h.put(kv[i], kv[i + 1]);
        return h;
    }

    private void add(String name, int priority, Match m, Action a) {
        table.change(s -> s.add(Rule.named(name).priority(priority).match(m).action(a)));
    }

    private String decided(StreamKey k, Map<String, String> h) {
        Route r = table.route(k, h);
        if (r == null) return null;
        StringBuilder b = new StringBuilder();
        for (CompiledRule c : r.copies()) b.append(c.name()).append('+');
        return b.append(r.terminal() == null ? "-" : r.terminal().name()).toString();
    }

    @Test
    void eachFieldMatchesOnlyWhatItNames() {
        add("sn", 10, Match.any().senderNode(exact("a")), Action.drop());
        assertThat(decided(key("a", "orders"), headers())).isEqualTo("sn");
        assertThat(decided(key("b", "orders"), headers())).isNull();
        table.change(s -> s.remove("sn"));

        add("sa", 10, Match.any().senderAgent(prefix("al")), Action.drop());
        assertThat(decided(key("a", "_a.bob"), headers(":f", "alice"))).isEqualTo("sa");
        assertThat(decided(key("a", "_a.bob"), headers(":f", "bert"))).isNull();
        assertThat(decided(key("a", "_a.bob"), headers()))
                .as("sent by the node: no agent")
                .isNull();
        table.change(s -> s.remove("sa"));

        add("rc", 10, Match.any().recipient(exact("bob")), Action.drop());
        assertThat(decided(key("a", "_a.bob"), headers())).isEqualTo("rc");
        assertThat(decided(key("a", "_v._a.bob.fast"), headers())).isEqualTo("rc");
        assertThat(decided(key("a", "_a.bobby"), headers())).isNull();
        assertThat(decided(key("a", "bob"), headers()))
                .as("node-level traffic has no recipient")
                .isNull();
        table.change(s -> s.remove("rc"));

        add("ch", 10, Match.any().channel(regex("pri.*")), Action.drop());
        assertThat(decided(key("a", "_c.prices"), headers())).isEqualTo("ch");
        assertThat(decided(key("a", "_c.quotes"), headers())).isNull();
        assertThat(decided(key("a", "prices"), headers())).isNull();
        table.change(s -> s.remove("ch"));

        add("hd", 10, Match.any().handler(exact("quote")), Action.drop());
        assertThat(decided(key("a", "orders"), headers(":h", "quote", ":k", "r")))
                .isEqualTo("hd");
        assertThat(decided(key("a", "orders"), headers(":h", "quote2", ":k", "r")))
                .isNull();
        assertThat(decided(key("a", "orders"), headers()))
                .as("a plain send has no handler")
                .isNull();
    }

    @Test
    void theLaneIsTheApplicationsLaneOrAnEndpointsSubLane() {
        add("ln", 10, Match.any().lane(exact("fast")), Action.drop());
        assertThat(decided(key("a", "fast"), headers())).isEqualTo("ln");
        assertThat(decided(key("a", "_v.fast"), headers()))
                .as("a volatile call's lane is the application's")
                .isEqualTo("ln");
        assertThat(decided(key("a", "_a.bob.fast"), headers()))
                .as("an endpoint's sub-lane")
                .isEqualTo("ln");
        assertThat(decided(key("a", "_a.fast"), headers()))
                .as("an endpoint without sub-lane")
                .isNull();
    }

    @Test
    void everyHeaderPatternMustHold() {
        add("hs", 10, Match.any().header("tenant", prefix("eu-")).header("tier", exact("gold")), Action.drop());
        assertThat(decided(key("a", "orders"), headers("tenant", "eu-7", "tier", "gold")))
                .isEqualTo("hs");
        assertThat(decided(key("a", "orders"), headers("tenant", "eu-7")))
                .as("every header must hold")
                .isNull();
        assertThat(decided(key("a", "orders"), headers("tenant", "us-1", "tier", "gold")))
                .isNull();
    }

    @Test
    void kindsComeFromTheLaneAndTheCallHeaders() {
        for (MessageKind k : MessageKind.values()) {
            Action a = k == MessageKind.RESPONSE ? Action.drop() : Action.deadLetter("k");
            add(k.name(), 10, Match.kind(k), a);
        }
        assertThat(decided(key("a", "orders"), headers())).isEqualTo("DIRECT");
        assertThat(decided(key("a", "orders"), headers(":h", "x", ":k", "t")))
                .as("a tell")
                .isEqualTo("DIRECT");
        assertThat(decided(key("a", "orders"), headers(":h", "x", ":k", "s"))).isEqualTo("REQUEST");
        assertThat(decided(key("a", "_a.bob"), headers(":h", "x", ":k", "r"))).isEqualTo("REQUEST");
        assertThat(decided(key("a", "_reply"), headers(":k", "p", ":c", "orders#5#1f")))
                .isEqualTo("RESPONSE");
        assertThat(decided(key("a", "_v._reply"), headers(":k", "p", ":c", "_v._a.bob#5#1f")))
                .isEqualTo("RESPONSE");
        assertThat(decided(key("a", "_c.prices"), headers())).isEqualTo("PUBLISH");
        assertThat(decided(key("a", "_c._all"), headers())).isEqualTo("BROADCAST");
    }

    @Test
    void tetherOwnTrafficIsNeverRouted() {
        add("all", 10, Match.any(), Action.drop());
        assertThat(decided(key("a", "orders"), headers())).isEqualTo("all");
        for (String lane : new String[] {"_sys", "_v._sys", "_ev", "_ch", "_c._kick", "_v._x"}) {
            assertThat(decided(key("a", lane), headers())).as(lane).isNull();
        }
        assertThat(decided(key("a", "orders"), headers(":h", "_hello", ":k", "r")))
                .isNull();
        assertThat(decided(key("a", "_v._reply"), headers(":k", "p", ":c", "_v._sys#3#1f")))
                .as("a reply to _hello")
                .isNull();
        assertThat(decided(key("a", "_reply"), headers(":k", "p", ":c", "_ev#3#1f")))
                .isNull();
        assertThat(decided(key("a", "_reply"), headers(":k", "p")))
                .as("no correlation: not a reply we can place")
                .isNull();
    }

    @Test
    void higherPriorityFirstTiesByNameAndTheFirstTerminalRuleEndsEvaluation() {
        Match any = Match.any();
        add("b-low", 1, any, Action.deadLetter("low"));
        add("c-tie", 5, any, Action.drop());
        add("a-tie", 5, any, Action.deliverToAgent("x"));
        add("tap-1", 9, any, Action.copy(Address.parse("n/tap")));
        add("tap-2", 8, any, Action.copy(Address.parse("n/tap"))); // same destination: once
        add("tap-3", 7, any, Action.copy(Address.parse("n/other")));
        add("tap-below", 0, any, Action.copy(Address.parse("n/below"))); // below the terminal rule: never evaluated
        assertThat(decided(key("a", "orders"), headers())).isEqualTo("tap-1+tap-3+a-tie");
        assertThat(table.rules().get("tap-2").counters.matched.sum()).isZero();
        assertThat(table.rules().get("tap-below").counters.matched.sum()).isZero();
        assertThat(table.rules().get("a-tie").counters.matched.sum()).isEqualTo(1);
        table.change(s -> s.enable("a-tie", false));
        assertThat(decided(key("a", "orders"), headers())).isEqualTo("tap-1+tap-3+c-tie");
        table.change(s -> s.remove("c-tie").remove("b-low").enable("a-tie", false));
        assertThat(decided(key("a", "orders"), headers()))
                .as("copies only: delivered as addressed")
                .isEqualTo("tap-1+tap-3+tap-below+-");
    }

    @Test
    void aRuleThatDoesNotApplyToResponsesSkipsThem() {
        add("dl", 10, Match.kind(MessageKind.RESPONSE, MessageKind.DIRECT), Action.deadLetter("x"));
        assertThat(decided(key("a", "_reply"), headers(":k", "p", ":c", "orders#1#1")))
                .isNull();
        assertThat(decided(key("a", "orders"), headers())).isEqualTo("dl");
    }

    @Test
    void aCatastrophicRegexIsAbandonedAfterItsBudgetCountedAndDoesNotMatch() {
        add("evil", 10, Match.any().header("x", regex("(.*a){12}b")), Action.drop());
        add("fine", 5, Match.any().header("x", regex("a+")), Action.deadLetter("ok"));
        String value = "a".repeat(40); // (.*a){12}b backtracks through about 40^12 splits to fail on it
        assertThat(decided(key("a", "orders"), headers("x", value))).isEqualTo("fine");
        assertThat(table.rules().get("evil").counters.errors.sum()).isEqualTo(1);
        assertThat(table.rules().get("evil").counters.matched.sum()).isZero();
        assertThat(decided(key("a", "orders"), headers("x", "a".repeat(12) + "b")))
                .isEqualTo("evil");
        assertThat(table.rules().get("evil").counters.errors.sum()).isEqualTo(1);

        CountedChars chars = new CountedChars(value);
        assertThatThrownBy(() -> java.util.regex.Pattern.compile("(.*a){12}b")
                        .matcher(chars)
                        .matches())
                .isSameAs(CountedChars.SPENT);
        assertThat(chars.spent()).isEqualTo(CountedChars.BUDGET + 1);
    }

    @Test
    void aRegexStartingWithPlainCharactersRefusesOtherValuesBeforeRunning() {
        assertThat(CompiledPattern.literalPrefix("eu-[0-9]+")).isEqualTo("eu-");
        assertThat(CompiledPattern.literalPrefix("abc")).isEqualTo("abc");
        assertThat(CompiledPattern.literalPrefix("ab*c")).as("b may be absent").isEqualTo("a");
        assertThat(CompiledPattern.literalPrefix("ab{0,2}")).isEqualTo("a");
        assertThat(CompiledPattern.literalPrefix("a?b")).isNull();
        assertThat(CompiledPattern.literalPrefix("eu-1|us-2")).isNull();
        assertThat(CompiledPattern.literalPrefix("(?i)eu")).isNull();
        assertThat(CompiledPattern.literalPrefix("\\Qeu\\E.*")).isNull();
        assertThat(CompiledPattern.literalPrefix("^eu")).isNull();
        CompiledPattern p = new CompiledPattern(regex("ab*c"));
        assertThat(p.match("ac")).isEqualTo(CompiledPattern.YES);
        assertThat(p.match("abbbc")).isEqualTo(CompiledPattern.YES);
        assertThat(p.match("bc")).isEqualTo(CompiledPattern.NO);
        // a value the prefix refuses costs no regex step, even for a catastrophic pattern
        assertThat(new CompiledPattern(regex("x(.*a){12}b")).match("a".repeat(40)))
                .isEqualTo(CompiledPattern.NO);
    }

    @Test
    void eachChangeIsANewSnapshotAndTheCandidatesFollowIt() {
        RuleSet empty = table.rules();
        assertThat(decided(key("a", "orders"), headers())).isNull();
        assertThat(table.cachedStreams()).as("no rules: nothing cached").isZero();
        add("bob-only", 10, Match.any().recipient(exact("bob")), Action.drop());
        RuleSet one = table.rules();
        assertThat(one.version).isEqualTo(empty.version + 1);
        assertThat(empty.list()).isEmpty();
        assertThat(decided(key("a", "orders"), headers())).isNull();
        assertThat(decided(key("a", "_a.bob"), headers())).isEqualTo("bob-only");
        assertThat(table.cachedStreams()).isEqualTo(2);
        table.change(s -> s.replace(Rule.named("bob-only")
                .priority(3)
                .match(Match.any().lane(exact("orders")))
                .action(Action.drop())));
        assertThat(decided(key("a", "orders"), headers())).isEqualTo("bob-only");
        assertThat(decided(key("a", "_a.bob"), headers())).isNull();
        assertThat(table.rules().get("bob-only").counters.matched.sum())
                .as("counters kept across a replace")
                .isEqualTo(2);
        assertThat(table.rules().version).isEqualTo(empty.version + 2);
        assertThat(table.rules().remove("nothing")).isSameAs(table.rules());
        assertThat(table.rules().enable("bob-only", true)).isSameAs(table.rules());
    }

    @Test
    void badChangesLeaveTheSnapshotAsItWas() {
        add("x", 1, Match.any(), Action.drop());
        RuleSet before = table.rules();
        assertThatThrownBy(() -> add("x", 2, Match.any(), Action.drop()))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> table.change(s -> s.replace(Rule.named("y").action(Action.drop()))))
                .isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> table.change(s -> s.add(Rule.named("z"))))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.problem()).isEqualTo("missing"));
        assertThat(table.rules()).isSameAs(before);
        for (int i = 1; i < RuleSet.MAX_RULES; i++) add("r" + i, 0, Match.any(), Action.drop());
        assertThatThrownBy(() -> add("one-too-many", 0, Match.any(), Action.drop()))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("rules"));
        assertThat(table.rules().list()).hasSize(RuleSet.MAX_RULES);
        assertThat(table.rules().list().get(0).name()).isEqualTo("x");
    }

    @Test
    void theIndexFindsTheFirstMatchBeyondSixtyFourCandidatesAndKeepsEachValueOnce() {
        for (int i = 0; i < 200; i++) { // r000 evaluated first: same priority, ties by name
            Match m = i % 3 == 0
                    ? Match.any().header("tenant", exact("t" + i))
                    : i % 3 == 1
                            ? Match.any().header("tenant", prefix("p" + i + "-"))
                            : Match.any().header("tenant", regex("r" + i + "[0-9]+"));
            add(String.format("r%03d", i), 0, m, Action.drop());
        }
        assertThat(decided(key("a", "orders"), headers("tenant", "t129"))).isEqualTo("r129");
        assertThat(decided(key("a", "orders"), headers("tenant", "p70-x"))).isEqualTo("r070");
        assertThat(decided(key("a", "orders"), headers("tenant", "r197123"))).isEqualTo("r197");
        assertThat(decided(key("a", "orders"), headers("tenant", "t129"))).isEqualTo("r129");
        assertThat(decided(key("a", "orders"), headers("tenant", "none"))).isNull();
        assertThat(decided(key("a", "orders"), headers())).isNull();
        assertThat(table.rules().get("r129").counters.matched.sum()).isEqualTo(2);
        CandidateIndex index = new CandidateIndex(table.rules().candidates(StreamFacts.of(key("a", "orders"))));
        for (int i = 0; i < CandidateIndex.MAX_VALUES + 10; i++)
            index.matching(MessageKind.DIRECT, headers("tenant", "v" + i));
        assertThat(index.keptValues("tenant"))
                .as("the cache starts again when full")
                .isLessThanOrEqualTo(CandidateIndex.MAX_VALUES);
        index.matching(MessageKind.DIRECT, headers("tenant", "x".repeat(CandidateIndex.MAX_KEPT_LENGTH + 1)));
        assertThat(index.keptValues("tenant")).as("a long value is not kept").isEqualTo(10);
    }
}
