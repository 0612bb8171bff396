package dev.tether.bench.net;

import dev.tether.bench.measure.CpuMeter;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.ThreadSwitches;
import java.util.Locale;

/**
 * The rounds of a scenario of blocking round trips, with Tether ({@link TetherPair}'s {@code send(...).processed()})
 * or without ({@link SocketPingPong}, {@link HandOffFloor}): warm-up and measured rounds of {@code pingPongs} round
 * trips each, printing context switches and each thread's sleeps per round trip, the latency of the last round kept.
 * Used on the driver thread only.
 */
final class BlockingRoundTrips {
    /** Makes {@code n} round trips one at a time. */
    interface Trips {
        Made make(int n) throws Exception;
    }

    /** What a round made: the latency of its round trips, and how many completed. */
    record Made(Latency latency, long completed) {
        /** Round trips of {@code nanos} nanoseconds each. */
        static Made of(long[] nanos) {
            return new Made(Latency.of(nanos), nanos.length);
        }
    }

    private BlockingRoundTrips() {}

    /** Round trips without Tether: nothing is stored. */
    static ScenarioResult measure(BenchOptions o, String name, String title, Trips trips) throws Exception {
        return measure(o, name, title, "none", trips);
    }

    static ScenarioResult measure(BenchOptions o, String name, String title, String durability, Trips trips)
            throws Exception {
        Latency[] last = {Latency.NONE};
        long[] counted = new long[2];
        Series series = Rounds.durations(o, name, () -> {
            ThreadSwitches threads = ThreadSwitches.now(); // before the meter: reading /proc is not the round's CPU
            Meter m = Meter.start();
            long cs = CpuMeter.contextSwitches();
            Made made = trips.make(o.pingPongs());
            last[0] = made.latency();
            counted[0] += o.pingPongs();
            counted[1] += made.completed();
            Round r = m.round(last[0].p50(), o.pingPongs());
            System.out.printf(
                    Locale.ROOT,
                    "    %.1f context switches per round trip%n",
                    (CpuMeter.contextSwitches() - cs) / (double) o.pingPongs());
            ThreadSwitches.now().perRoundTrip(threads, o.pingPongs()).forEach(l -> System.out.println("      " + l));
            return r;
        });
        return new ScenarioResult(
                name, title, durability, true, series, last[0], "round trip, last round", counted[0], counted[1]);
    }
}
