package dev.tether.bench.net;

import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.PairedRounds;
import dev.tether.bench.measure.Round;
import dev.tether.fixtures.NatsServerProcess;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code NetworkBench --paired A,B}: two scenarios measured in alternation, so that a machine whose speed moves
 * between minutes moves both alike. Both are set up first (A, then B; their child JVMs stay up to the end), then
 * warmed up by {@link dev.tether.bench.measure.Steady}'s rule in alternation (A, B, A, B, ... each until its own
 * rule holds), then {@code --repeat} pairs run in ABBA
 * order ({@link PairedRounds#bFirst}), one round of each per pair. A round's CPU per op counts this JVM and that
 * side's processes only ({@link dev.tether.bench.measure.CpuMeter#excludeOnThisThread}): the other side's idle JVMs
 * are left out. Printed: every round as in a plain run, each side's series, each pair's ratios A/B and loads, and
 * the ratios summed up ({@link dev.tether.bench.measure.RatioSummary}); then the scenarios' usual table. Driver
 * thread only.
 */
final class PairedRun {
    /** What a paired run measured: the pairs, the figure's direction, and both sides' rows. */
    record Outcome(
            PairedOptions options,
            PairedRounds pairs,
            boolean sameKind,
            boolean higherIsBetter,
            List<ScenarioResult> results) {}

    private PairedRun() {}

    /** Runs, prints, and returns the exit status: 0, or 1 if a side failed. */
    static int main(PairedOptions p) throws Exception {
        BenchOptions a = p.a().options();
        System.out.println(NetworkBench.header(a));
        System.out.printf(
                Locale.ROOT,
                "# paired: A = %s, B = %s; %d pairs in ABBA order after alternated warm-ups; both sides' child JVMs"
                        + " stay up throughout; a round's CPU counts this JVM and its own side's processes%n",
                p.a().spec(),
                p.b().spec(),
                a.rounds());
        Outcome out;
        try {
            out = run(p);
        } catch (IllegalStateException e) {
            System.out.println("FAILED " + e.getMessage());
            e.printStackTrace(System.out);
            return 1;
        }
        System.out.println();
        System.out.print(text(out));
        System.out.println();
        System.out.print(MarkdownReport.render(a, new NetworkBench.Report(out.results(), List.of())));
        System.out.println();
        System.out.println("load average at the end: " + Load.now());
        return 0;
    }

    /** Sets both sides up, warms them up, runs the pairs and finishes both; throws if a side fails. */
    static Outcome run(PairedOptions p) throws Exception {
        boolean needsNats = needsNats(p.a().scenario()) || needsNats(p.b().scenario());
        int pairs = p.a().options().rounds();
        try (NatsServerProcess nats =
                needsNats ? NatsServerProcess.builder().jetStream().start() : null) {
            String url = nats == null ? "-" : nats.url();
            Set<Long> before = descendants();
            try (PairedSide a = PairedSide.start("A", p.a(), url)) {
                a.awaitReady();
                Set<Long> aPids = minus(descendants(), before);
                try (PairedSide b = PairedSide.start("B", p.b(), url)) {
                    b.awaitReady();
                    Set<Long> bPids = minus(minus(descendants(), before), aPids);
                    System.out.printf(Locale.ROOT, "A's processes %s, B's %s%n", aPids, bPids);
                    // the warm-ups alternate too: neither side idles through the other's, and both leave them in
                    // the rhythm of the pairs (a side that waited through the other's whole warm-up measured its
                    // first two pairs 1.6x slower than its last warm-up round)
                    boolean aWarm = false, bWarm = false;
                    while (!aWarm || !bWarm) {
                        if (!aWarm) aWarm = a.warmUpRound(bPids);
                        if (!bWarm) bWarm = b.warmUpRound(aPids);
                    }
                    List<Round> ra = new ArrayList<>(), rb = new ArrayList<>();
                    for (int i = 0; i < pairs; i++) {
                        String which = "pair " + (i + 1);
                        if (PairedRounds.bFirst(i)) rb.add(b.round(which, aPids));
                        ra.add(a.round(which, bPids));
                        if (!PairedRounds.bFirst(i)) rb.add(b.round(which, aPids));
                    }
                    List<ScenarioResult> results = new ArrayList<>(a.finish());
                    results.addAll(b.finish());
                    boolean sameKind = a.higherIsBetter() == b.higherIsBetter();
                    return new Outcome(p, new PairedRounds(ra, rb), sameKind, a.higherIsBetter(), results);
                }
            }
        }
    }

    /** The paired result as printed: each side's series, each pair, the ratios summed up. */
    static String text(Outcome out) {
        StringBuilder s = new StringBuilder();
        PairedOptions p = out.options();
        s.append(String.format(Locale.ROOT, "## paired: A = %s, B = %s%n", p.a().spec(), p.b().spec()));
        for (int i = 0; i < out.results().size(); i++) {
            ScenarioResult r = out.results().get(i);
            s.append(String.format(
                    Locale.ROOT,
                    "%s %s: %s%n",
                    i == 0 ? "A" : "B",
                    i == 0 ? p.a().spec() : p.b().spec(),
                    r.series().text(r::valueText)));
        }
        ScenarioResult ra = out.results().get(0),
                rb = out.results().get(out.results().size() - 1);
        for (String line : out.pairs().lines(ra::valueText, rb::valueText, out.sameKind()))
            s.append(line).append('\n');
        s.append("A/B CPU per op: ").append(out.pairs().cpu().text()).append(" (lower is better)\n");
        if (out.sameKind()) {
            s.append(out.higherIsBetter() ? "A/B rate: " : "A/B round-trip p50: ")
                    .append(out.pairs().value(out.higherIsBetter()).text())
                    .append(out.higherIsBetter() ? " (higher is better)\n" : " (lower is better)\n");
        } else {
            s.append("A/B figure: not compared (one side measures a rate, the other a round trip)\n");
        }
        return s.toString();
    }

    private static boolean needsNats(String scenario) {
        return scenario.contains("nats") || scenario.equals("jetstream");
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static Set<Long> minus(Set<Long> all, Set<Long> gone) {
        Set<Long> s = new HashSet<>(all);
        s.removeAll(gone);
        return s;
    }
}
