package dev.tether.bench;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.bus.TextPattern.prefix;
import static dev.tether.bus.TextPattern.regex;

import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.measure.WarmUp;
import dev.tether.bus.Action;
import dev.tether.bus.Bus;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.Match;
import dev.tether.bus.MessageKind;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Routing rules against none (issue 11, "Routing: throughput with 100 rules within 15% of no rules"; docs/BUS-DESIGN.md
 * section 2.2): {@link BusBench}'s 100 agents of one node (in-memory store, {@code MEMORY}, handler threads), every
 * message with a {@code tenant} header, once with no rules and once with 100 rules of which none matches: 30 on the
 * header with a regex (15 starting with plain characters the value does not start with, refused before the regex
 * runs, and 15 starting with a character class, run on every message and failing at their end), 30 header prefix or
 * exact rules, 10 on the handler (a plain send has none), and 30 on recipients that do not exist (left out by the
 * per-stream candidate cache); and once with 10 rules each copying every message to a sink endpoint of the node (so 11
 * deliveries and 10 stored copies per message; the round ends when the copies are delivered too, its rate is of
 * messages sent). The three alternate, round by round, in one JVM, so all see the same machine. The peer is the
 * no-rules case.
 *
 * <p>Run: {@code scripts/bench routing [--messages N] [--repeat R] [--max-warmup W] [--agents N] [--quick]}.
 */
public final class RoutingBench {
    private static final Map<String, String> HEADERS = Map.of("tenant", "us-1042");

    private RoutingBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = BusBench.options(List.of("--messages", "--repeat", "--max-warmup", "--agents"), args);
        boolean quick = a.containsKey("--quick");
        int messages = Integer.parseInt(a.getOrDefault("--messages", quick ? "50000" : "500000"));
        int repeat = Integer.parseInt(a.getOrDefault("--repeat", quick ? "2" : "5"));
        int maxWarmUp = Integer.parseInt(a.getOrDefault("--max-warmup", quick ? "2" : "3"));
        int agents = Integer.parseInt(a.getOrDefault("--agents", "100"));
        System.out.printf(
                Locale.ROOT,
                "# routing bench: %,d messages x 100 B per round, %d agents, no rules, 100 rules none matching and 10"
                        + " rules copying every message to 10 local sinks, alternating; warm-up until two rounds differ by < %.0f%% (at most %d), then %d measured"
                        + " rounds each, %d cores, %s, in-memory store, MEMORY; load average %s%n",
                messages,
                agents,
                Steady.TOLERANCE * 100,
                maxWarmUp,
                repeat,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"),
                Load.now());
        EndpointOptions threads = EndpointOptions.defaults();
        Steady.RoundSource none = () -> BusBench.local(agents, messages, threads, bus -> {}, HEADERS);
        Steady.RoundSource hundred =
                () -> BusBench.local(agents, messages, threads, RoutingBench::hundredRules, HEADERS);
        Steady.RoundSource copying =
                () -> BusBench.local(agents, messages, threads, RoutingBench::tenCopyingRules, HEADERS, 1 + COPIES);
        String loadStart = Load.now();
        WarmUp noneWarm = Steady.warmUp("no-rules", maxWarmUp, Steady::rate, none);
        WarmUp hundredWarm = Steady.warmUp("100-rules", maxWarmUp, Steady::rate, hundred);
        WarmUp copyingWarm = Steady.warmUp("10-copying", maxWarmUp, Steady::rate, copying);
        List<Round> noneRounds = new ArrayList<>();
        List<Round> hundredRounds = new ArrayList<>();
        List<Round> copyingRounds = new ArrayList<>();
        for (int r = 1; r <= repeat; r++) { // alternating, so drift in the machine's load hits all alike
            noneRounds.add(print("no-rules round " + r, none.next()));
            hundredRounds.add(print("100-rules round " + r, hundred.next()));
            copyingRounds.add(print("10-copying round " + r, copying.next()));
        }
        String loadEnd = Load.now();
        Map<String, Series> results = new LinkedHashMap<>();
        results.put("no rules (peer)", new Series(noneWarm, noneRounds, loadStart, loadEnd));
        results.put("100 rules, none matching", new Series(hundredWarm, hundredRounds, loadStart, loadEnd));
        results.put(
                "10 copying rules (11 deliveries a message)",
                new Series(copyingWarm, copyingRounds, loadStart, loadEnd));
        BusBench.printTable(results);
        double ratio = results.get("100 rules, none matching").median()
                / results.get("no rules (peer)").median();
        System.out.printf(Locale.ROOT, "# 100 rules / no rules (medians): %.3f (target >= 0.85)%n", ratio);
        System.out.printf(
                Locale.ROOT,
                "# 10 copying rules / no rules (medians): %.3f (no target: 11 deliveries a message)%n",
                results.get("10 copying rules (11 deliveries a message)").median()
                        / results.get("no rules (peer)").median());
    }

    private static Round print(String what, Round r) {
        System.out.printf(
                Locale.ROOT,
                "  %s: %s, CPU %.2f µs/op, load %s%n",
                what,
                Steady.rate(r.value()),
                r.cpuPerOp() / 1e3,
                r.load());
        return r;
    }

    /** Copies of each message, one per copying rule. */
    private static final int COPIES = 10;

    /**
     * {@value #COPIES} rules each copying every message for an agent to a sink endpoint of its own on this node (loopback
     * streams), the sinks counting with {@code counter}: each message is delivered once where it was sent and copied
     * {@value #COPIES} times, every copy stored with its message's settlement.
     */
    static void tenCopyingRules(Bus bus, dev.tether.bus.EndpointHandler counter) {
        for (int i = 0; i < COPIES; i++) {
            dev.tether.bus.Address sink = bus.endpoint("sink-" + i, EndpointOptions.defaults(), counter)
                    .address();
            bus.rules()
                    .add(Rule.named("copy-" + i)
                            .priority(i)
                            .match(Match.any().recipient(prefix("agent-")))
                            .action(Action.copy(sink)));
        }
    }

    /** 100 rules none of which matches the bench's messages. */
    static void hundredRules(Bus bus) {
        RoutingRules rules = bus.rules();
        Consumer<Rule> add = rules::add;
        for (int i = 0; i < 30; i++) {
            add.accept(Rule.named("regex-" + i)
                    .priority(i)
                    .match(Match.any()
                            .header("tenant", regex(i % 2 == 0 ? "eu-[0-9]{1,6}-" + i : "[a-z]{2}-[0-9]{1,6}-x" + i)))
                    .action(Action.drop()));
            add.accept(Rule.named("header-" + i)
                    .priority(i)
                    .match(Match.kind(MessageKind.DIRECT)
                            .header("tenant", i % 2 == 0 ? prefix("ap-" + i) : exact("us-" + i)))
                    .action(Action.deadLetter("not here")));
            add.accept(Rule.named("recipient-" + i)
                    .priority(i)
                    .match(Match.any().recipient(exact("nobody-" + i)))
                    .action(Action.drop()));
        }
        for (int i = 0; i < 10; i++) {
            add.accept(Rule.named("handler-" + i)
                    .priority(100 + i)
                    .match(Match.any().handler(exact("h" + i)))
                    .action(Action.deliverToAgent("agent-0")));
        }
    }
}
