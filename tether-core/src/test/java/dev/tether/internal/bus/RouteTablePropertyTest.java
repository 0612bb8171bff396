package dev.tether.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Match;
import dev.tether.bus.MessageKind;
import dev.tether.bus.Rule;
import dev.tether.bus.TextPattern;
import dev.tether.internal.engine.StreamKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Seeded random rule sets, changed between messages, against a plain reference evaluation written from
 * docs/BUS-DESIGN.md section 2 (every enabled rule in priority order, every field checked per message, no cache): the
 * route table with its snapshots and per-stream candidate cache decides the same for every message.
 */
class RouteTablePropertyTest {
    /** What each lane of the test is, written out by hand: kinds, recipient, application lane, channel. */
    private record LaneFacts(String lane, Set<MessageKind> kinds, String recipient, String appLane, String channel) {}

    private static final Set<MessageKind> DR = Set.of(MessageKind.DIRECT, MessageKind.REQUEST);
    private static final List<LaneFacts> LANES = List.of(
            new LaneFacts("orders", DR, null, "orders", null),
            new LaneFacts("orders-eu", DR, null, "orders-eu", null),
            new LaneFacts("_v.orders", DR, null, "orders", null),
            new LaneFacts("_a.bob", DR, "bob", null, null),
            new LaneFacts("_a.bob.fast", DR, "bob", "fast", null),
            new LaneFacts("_a.bert", DR, "bert", null, null),
            new LaneFacts("_v._a.alice.slow", DR, "alice", "slow", null),
            new LaneFacts("_c.prices", Set.of(MessageKind.PUBLISH), null, null, "prices"),
            new LaneFacts("_c._all", Set.of(MessageKind.BROADCAST), null, null, null),
            new LaneFacts("_reply", Set.of(MessageKind.RESPONSE), null, null, null),
            new LaneFacts("_sys", Set.of(), null, null, null));

    private static final String[] WORDS = {
        "orders",
        "orders-eu",
        "bob",
        "bert",
        "alice",
        "fast",
        "slow",
        "prices",
        "a",
        "b",
        "c",
        "quote",
        "eu-1",
        "us-2",
        "gold"
    };
    private static final String[] NODES = {"a", "b", "c"};
    /** A regex that spends its budget on {@link #EVIL_VALUE} (about 40^12 ways to split it) and matches nothing else. */
    private static final String EVIL = "(.*a){12}b";

    private static final String EVIL_VALUE = "a".repeat(40);

    @Test
    void theRouteTableDecidesAsTheReferenceForRandomRulesAndMessages() {
        long seed = System.nanoTime();
        System.out.println("RouteTablePropertyTest seed " + seed);
        Random rnd = new Random(seed);
        for (int round = 0; round < 40; round++) {
            RouteTable table = new RouteTable();
            for (int step = 0; step < 400; step++) {
                if (rnd.nextInt(10) == 0 || table.rules().list().isEmpty()) change(table, rnd);
                LaneFacts lf = LANES.get(rnd.nextInt(LANES.size()));
                String node = NODES[rnd.nextInt(NODES.length)];
                Map<String, String> h = message(lf, rnd);
                Map<String, List<Long>> expected = new TreeMap<>();
                Map<String, long[]> before = counters(table);
                Route r = table.route(new StreamKey(NodeId.of(node), lf.lane()), h);
                Map<String, List<Long>> counted = counted(before, counters(table));
                String got = r == null
                        ? "none"
                        : describe(
                                r.copies().stream().map(CompiledRule::name).toList(),
                                r.terminal() == null ? null : r.terminal().name());
                assertThat(got)
                        .as(
                                "seed %d round %d step %d: %s from %s with %s under %s",
                                seed,
                                round,
                                step,
                                lf.lane(),
                                node,
                                h,
                                table.rules().list())
                        .isEqualTo(reference(table.rules().list(), lf, node, h, expected));
                assertThat(counted)
                        .as("counters, seed %d round %d step %d: %s with %s", seed, round, step, lf.lane(), h)
                        .isEqualTo(expected);
            }
        }
    }

    private static Map<String, long[]> counters(RouteTable table) {
        Map<String, long[]> m = new HashMap<>();
        for (Rule r : table.rules().list()) {
            CompiledRule c = table.rules().get(r.name());
            m.put(r.name(), new long[] {c.counters.matched.sum(), c.counters.errors.sum()});
        }
        return m;
    }

    /** Per rule whose counters moved, [matched, errors] added by one routing decision. */
    private static Map<String, List<Long>> counted(Map<String, long[]> before, Map<String, long[]> after) {
        Map<String, List<Long>> d = new TreeMap<>();
        after.forEach((name, a) -> {
            long[] b = before.get(name);
            if (a[0] != b[0] || a[1] != b[1]) d.put(name, List.of(a[0] - b[0], a[1] - b[1]));
        });
        return d;
    }

    private static void change(RouteTable table, Random rnd) {
        List<Rule> rules = table.rules().list();
        String name = "r" + rnd.nextInt(12);
        switch (rnd.nextInt(4)) {
            case 0 -> table.change(s -> s.remove(name));
            case 1 -> table.change(s -> s.enable(name, rnd.nextBoolean()));
            default -> {
                Rule r = randomRule(name, rnd);
                boolean exists = rules.stream().anyMatch(x -> x.name().equals(name));
                table.change(s -> exists ? s.replace(r) : s.add(r));
            }
        }
    }

    private static Rule randomRule(String name, Random rnd) {
        Match m = rnd.nextInt(3) == 0
                ? Match.kind(MessageKind.values()[rnd.nextInt(5)], MessageKind.values()[rnd.nextInt(5)])
                : Match.any();
        if (rnd.nextInt(5) == 0) m = m.senderNode(pattern(NODES[rnd.nextInt(3)], rnd));
        if (rnd.nextInt(5) == 0) m = m.senderAgent(pattern(WORDS[rnd.nextInt(WORDS.length)], rnd));
        if (rnd.nextInt(4) == 0) m = m.recipient(pattern(WORDS[rnd.nextInt(WORDS.length)], rnd));
        if (rnd.nextInt(6) == 0) m = m.channel(pattern(WORDS[rnd.nextInt(WORDS.length)], rnd));
        if (rnd.nextInt(5) == 0) m = m.handler(pattern(WORDS[rnd.nextInt(WORDS.length)], rnd));
        if (rnd.nextInt(4) == 0) m = m.lane(pattern(WORDS[rnd.nextInt(WORDS.length)], rnd));
        if (rnd.nextInt(3) == 0) m = m.header("tenant", pattern(WORDS[rnd.nextInt(WORDS.length)], rnd));
        if (rnd.nextInt(4) == 0) m = m.header("region", pattern(WORDS[rnd.nextInt(WORDS.length)], rnd));
        if (rnd.nextInt(12) == 0) m = m.header("tenant", TextPattern.regex(EVIL));
        Action a = switch (rnd.nextInt(7)) {
            case 0 -> Action.drop();
            case 1, 2 -> Action.copy(Address.parse("n/tap" + rnd.nextInt(3)));
            case 3 -> Action.deliverToAgent("x");
            case 4 -> Action.forward(NodeId.of("n"));
            case 5 -> Action.forward(Address.parse("n/fwd"));
            default -> Action.deadLetter("r");
        };
        Rule r = Rule.named(name)
                .priority(rnd.nextInt(5))
                .enabled(rnd.nextInt(5) != 0)
                .action(a);
        boolean skipsAll = !m.kinds().isEmpty() && m.kinds().stream().noneMatch(a::appliesTo);
        return skipsAll ? r : r.match(m);
    }

    private static TextPattern pattern(String word, Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> TextPattern.exact(word);
            case 1 -> TextPattern.prefix(word.substring(0, 1 + rnd.nextInt(word.length())));
            case 2 -> TextPattern.regex(Pattern.quote(word.substring(0, 1)) + ".*");
            default -> TextPattern.regex(word.substring(0, 1 + rnd.nextInt(word.length())) + "[a-z0-9-]?.*");
        };
    }

    private static Map<String, String> message(LaneFacts lf, Random rnd) {
        Map<String, String> h = new HashMap<>();
        if (lf.kinds().equals(DR) && rnd.nextBoolean()) {
            h.put(":h", WORDS[rnd.nextInt(WORDS.length)]);
            h.put(":k", "tsr".substring(rnd.nextInt(3)).substring(0, 1));
        }
        if (lf.kinds().contains(MessageKind.RESPONSE)) {
            h.put(":k", "p");
            h.put(":c", (rnd.nextBoolean() ? "orders" : "_v._sys") + "#4#1");
        }
        if (rnd.nextBoolean()) h.put(":f", WORDS[rnd.nextInt(WORDS.length)]);
        if (rnd.nextBoolean()) h.put("tenant", rnd.nextInt(20) == 0 ? EVIL_VALUE : WORDS[rnd.nextInt(WORDS.length)]);
        if (rnd.nextBoolean()) h.put("region", WORDS[rnd.nextInt(WORDS.length)]);
        return h;
    }

    /**
     * Section 2.3, literally; puts in {@code counted} per rule whose counters move [matched, errors]: a rule matched
     * when it decides or copies to a new destination, an error each time a rule met the evil regex on the evil value
     * (its patterns checked in order: handler, sending endpoint, headers by name).
     */
    private static String reference(
            List<Rule> rules, LaneFacts lf, String node, Map<String, String> h, Map<String, List<Long>> counted) {
        MessageKind kind = referenceKind(lf, h);
        if (kind == null) return "none";
        List<String> copies = new ArrayList<>();
        Set<Action> destinations = new LinkedHashSet<>();
        for (Rule r : rules) { // list() is in evaluation order
            if (!r.isEnabled()) continue;
            boolean[] abandoned = {false};
            boolean matches = matches(r, kind, lf, node, h, abandoned);
            if (abandoned[0]) counted.put(r.name(), List.of(0L, 1L));
            if (!matches) continue;
            if (r.action().isTerminal()) {
                counted.put(r.name(), List.of(1L, 0L));
                return describe(copies, r.name());
            }
            if (destinations.add(r.action())) {
                copies.add(r.name());
                counted.put(r.name(), List.of(1L, 0L));
            }
        }
        return copies.isEmpty() ? "none" : describe(copies, null);
    }

    private static MessageKind referenceKind(LaneFacts lf, Map<String, String> h) {
        if (lf.kinds().isEmpty()) return null; // Tether's own lane
        if (lf.kinds().size() == 1) {
            MessageKind k = lf.kinds().iterator().next();
            return k == MessageKind.RESPONSE && h.get(":c").startsWith("_v._sys") ? null : k;
        }
        String k = h.get(":k");
        return "s".equals(k) || "r".equals(k) ? MessageKind.REQUEST : MessageKind.DIRECT;
    }

    private static boolean matches(
            Rule r, MessageKind kind, LaneFacts lf, String node, Map<String, String> h, boolean[] abandoned) {
        Match m = r.match();
        if (!r.action().appliesTo(kind)) return false; // responses: copy and drop only; requests: no forward
        if (!m.admits(kind)) return false;
        if (!holds(m.senderNode(), node)
                || !holds(m.recipient(), lf.recipient())
                || !holds(m.channel(), lf.channel())
                || !holds(m.lane(), lf.appLane())) return false;
        if (!holds(m.handler(), h.get(":h")) || !holds(m.senderAgent(), h.get(":f"))) return false;
        for (Map.Entry<String, TextPattern> e : m.headers().entrySet()) { // sorted by name
            String v = h.get(e.getKey());
            if (e.getValue().text().equals(EVIL) && EVIL_VALUE.equals(v)) {
                abandoned[0] = true;
                return false;
            }
            if (!holds(e.getValue(), v)) return false;
        }
        return true;
    }

    private static boolean holds(TextPattern p, String v) {
        if (p == null) return true;
        if (v == null) return false;
        return switch (p.type()) {
            case EXACT -> v.equals(p.text());
            case PREFIX -> v.startsWith(p.text());
            case REGEX -> Pattern.matches(p.text(), v);
        };
    }

    private static String describe(List<String> copies, String terminal) {
        return String.join("+", copies) + " -> " + (terminal == null ? "addressed" : terminal);
    }
}
