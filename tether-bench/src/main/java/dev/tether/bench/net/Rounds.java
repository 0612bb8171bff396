package dev.tether.bench.net;

import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import java.util.function.DoubleFunction;

/**
 * Where the rounds of a {@link NetworkBench} scenario run. In a plain run, by {@link Steady}'s rule: the warm-up,
 * then {@code --repeat} measured rounds, one after the other. On the thread of a side of a paired run ({@link
 * PairedSide}), on the paired run's command instead, one round at a time alternating with the other side's, while
 * the scenario's child JVMs stay up. Every scenario obtains its {@link Series} here, so that any of them can be
 * paired without a second copy of its set-up. Stateless.
 */
final class Rounds {
    private Rounds() {}

    /** Rounds whose figure is a rate (messages or requests per second): higher is better. */
    static Series rates(BenchOptions o, String label, Steady.RoundSource source) throws Exception {
        return run(o, label, true, Steady::rate, source);
    }

    /** Rounds whose figure is a duration (a round trip's p50 in nanoseconds): lower is better. */
    static Series durations(BenchOptions o, String label, Steady.RoundSource source) throws Exception {
        return run(o, label, false, Steady::nanos, source);
    }

    private static Series run(
            BenchOptions o, String label, boolean higherIsBetter, DoubleFunction<String> f, Steady.RoundSource source)
            throws Exception {
        if (Thread.currentThread() instanceof PairedSide.SideThread side) {
            return side.side().serve(label, o.maxWarmUp(), higherIsBetter, f, source);
        }
        return Steady.run(label, o.maxWarmUp(), o.rounds(), f, source);
    }
}
