package dev.tether.testkit.sim;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one {@link Simulation} run.
 *
 * @param config what was simulated (its seed replays the run exactly)
 * @param history every observation, in order
 * @param report the {@link HistoryChecker}'s verdict
 * @param drained whether every outbound stream was fully acknowledged before the time limit
 * @param endMillis simulated time at the end, from the start of the run
 * @param events simulation events processed
 * @param counters counts of frames, commits, faults and engine events, by name
 * @param trace step-by-step log, if the run was traced (else empty)
 */
public record SimResult(
        SimConfig config,
        List<HistoryEvent> history,
        CheckReport report,
        boolean drained,
        long endMillis,
        long events,
        Map<String, Long> counters,
        List<String> trace) {

    /** True if the run drained and the history is clean. */
    public boolean ok() {
        return drained && report.clean();
    }

    /** The seed, how the run went, the report and the configuration, for a failure message. */
    public String describe() {
        return "seed " + config.seed() + (ok() ? " ok" : " FAILED") + " after " + endMillis + " simulated ms, "
                + events + " events\n" + report + "\ncounters " + counters + "\n" + config
                + "\nreplay: -Dtether.sim.seed=" + config.seed()
                + (config.crossConnection() ? " -Dtether.sim.crossConnection=true" : "")
                + " (add -Dtether.sim.trace=true for a step log)";
    }
}
