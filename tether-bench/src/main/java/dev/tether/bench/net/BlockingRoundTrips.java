package dev.tether.bench.net;

import dev.tether.bench.measure.CpuMeter;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Stats;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.measure.ThreadSwitches;
import java.util.Locale;

/**
 * The rounds of a scenario of blocking round trips without Tether ({@link SocketPingPong}, {@link HandOffFloor}):
 * warm-up and measured rounds of {@code pingPongs} round trips each, printing context switches and each thread's
 * sleeps per round trip, the latency of the last round kept. Used on the driver thread only.
 */
final class BlockingRoundTrips {
    /** Makes {@code n} round trips one at a time and returns each one's nanoseconds. */
    interface Trips {
        long[] make(int n) throws Exception;
    }

    private BlockingRoundTrips() {}

    static ScenarioResult measure(BenchOptions o, String name, String title, Trips trips) throws Exception {
        long[][] last = {new long[0]};
        long[] counted = new long[2];
        Series series = Steady.run(name, o.maxWarmUp(), o.rounds(), Steady::nanos, () -> {
            ThreadSwitches threads = ThreadSwitches.now(); // before the meter: not the round's CPU
            Meter m = Meter.start();
            long cs = CpuMeter.contextSwitches();
            last[0] = trips.make(o.pingPongs());
            counted[0] += o.pingPongs();
            counted[1] += last[0].length;
            Round r = m.round(Stats.percentile(last[0], 0.5), o.pingPongs());
            System.out.printf(
                    Locale.ROOT,
                    "    %.1f context switches per round trip%n",
                    (CpuMeter.contextSwitches() - cs) / (double) o.pingPongs());
            ThreadSwitches.now().perRoundTrip(threads, o.pingPongs()).forEach(l -> System.out.println("      " + l));
            return r;
        });
        return new ScenarioResult(
                name,
                title,
                "none",
                true,
                series,
                Latency.of(last[0]),
                "round trip, last round",
                counted[0],
                counted[1]);
    }
}
