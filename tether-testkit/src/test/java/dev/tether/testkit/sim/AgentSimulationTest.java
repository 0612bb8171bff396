package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * 100 agents (endpoints, docs/BUS-DESIGN.md section 1) all-to-all through the deterministic simulation: every workload
 * send goes from an agent of its node to an agent of any node (its own node's on a loopback stream), with the faults
 * each seed draws (crashes and restarts, clean stops, flaps, partitions, loss, failed commits), and every history is
 * checked by {@link HistoryChecker}, with {@link AgentRules} for the endpoint pairs.
 *
 * <p>System properties: {@code tether.sim.agentSeeds} (the build passes 40, {@code -Psoak} 1000; 20 outside Maven),
 * {@code tether.sim.agentBaseSeed} (default 1), {@code tether.sim.agentSeed} (replay exactly this seed).
 */
class AgentSimulationTest {
    static final int AGENTS = 100;

    static SimConfig config(long seed) {
        return SimConfig.random(seed).withAgents(AGENTS);
    }

    @Test
    void hundredAgentsAllToAllKeepEveryGuarantee() {
        Long single = Long.getLong("tether.sim.agentSeed");
        long base = single != null ? single : Long.getLong("tether.sim.agentBaseSeed", 1);
        int seeds = single != null ? 1 : Integer.getInteger("tether.sim.agentSeeds", 20);
        System.out.println("agent simulation: " + AGENTS + " agents, " + seeds + " seeds from " + base
                + " (-Dtether.sim.agentSeed=N replays one, -Dtether.sim.agentBaseSeed=N explores others)");
        Map<String, Long> totals = new TreeMap<>();
        List<Long> failed = new ArrayList<>();
        StringBuilder failures = new StringBuilder();
        long started = System.nanoTime();
        for (long seed = base; seed < base + seeds; seed++) {
            SimResult r = new Simulation(config(seed), false).run();
            r.report().totals().forEach((k, v) -> totals.merge(k, v, Long::sum));
            r.counters().forEach((k, v) -> totals.merge("sim." + k, v, Long::sum));
            if (!r.ok()) {
                failed.add(seed);
                if (failed.size() <= 3)
                    failures.append("\nseed ").append(seed).append(": ").append(r.describe());
            }
        }
        System.out.printf(
                "agent simulation: %d seeds in %.1f s; totals %s%n",
                seeds, (System.nanoTime() - started) / 1e9, totals);
        assertThat(failed)
                .as("seeds failed (replay one with -Dtether.sim.agentSeed=N):" + failures)
                .isEmpty();
        if (single != null) return;
        // The run exercised what it claims: agents of other nodes and of the same node, many pairs, crashes.
        assertThat(totals.getOrDefault("agentDeliveries", 0L)).isGreaterThan(seeds * 100L);
        assertThat(totals.getOrDefault("agentDeliveriesInOneNode", 0L)).isGreaterThan(seeds * 10L);
        assertThat(totals.getOrDefault("agentPairs", 0L)).isGreaterThan(seeds * 50L);
        assertThat(totals.getOrDefault("crashes", 0L)).isGreaterThan(0);
        assertThat(totals.getOrDefault("redeliveredTruly", 0L)).isGreaterThan(0);
    }

    /**
     * Each agent sends to nearly every other one (30,000 messages between 100 agents, so most of the 10,000 pairs, many
     * with several messages), with the faults of the seed; {@code tether.sim.agentDenseSeeds} runs (the build passes 1,
     * {@code -Psoak} 20).
     */
    @Test
    void denseAllToAll() {
        int seeds = Integer.getInteger("tether.sim.agentDenseSeeds", 1);
        long base = Long.getLong("tether.sim.agentBaseSeed", 1);
        for (long seed = base; seed < base + seeds; seed++) {
            SimConfig.Builder b = config(seed).toBuilder();
            b.messages = 30_000;
            b.sendPhaseMillis = 8_000;
            b.faultPhaseMillis = 9_000;
            b.publishRate = 0; // every send between agents
            b.ttlRate = Math.min(b.ttlRate, 0.05);
            b.crashes = true;
            // Drawn at their extremes (faults every 50 ms, one message per commit, most sends requests), a few hundred
            // of the 30,000 sends get through (one seed: 65 crashes, 632 committed): bounded, so the run covers the
            // pairs it is about.
            b.meanFaultGapMillis = Math.max(b.meanFaultGapMillis, 400);
            b.maxBatchMessages = Math.max(b.maxBatchMessages, 16);
            b.requestRate = Math.min(b.requestRate, 0.1);
            b.maxQueuedPerStream = 1_000_000;
            long started = System.nanoTime();
            SimResult r = new Simulation(b.build(), false).run();
            System.out.printf(
                    "agent simulation, dense: seed %d in %.1f s: %s%n",
                    seed, (System.nanoTime() - started) / 1e9, r.report().totals());
            assertThat(r.ok()).as(r.describe()).isTrue();
            assertCoversManyPairs(seed, r.report().totals());
        }
    }

    /**
     * How many sends get through depends on the seed's faults (one seed's 17 crashes let 5,391 of 30,000 through), so
     * coverage is judged against the deliveries made: a tenth of the sends at least, and at least half the distinct
     * pairs that as many uniformly drawn pairs would hit ({@code 10,000 (1 - e^(-d / 10,000))}), and many pairs seen
     * more than once (their order is checked).
     */
    static void assertCoversManyPairs(long seed, Map<String, Long> totals) {
        long delivered = totals.getOrDefault("agentDeliveries", 0L);
        double pairs = (double) AGENTS * AGENTS;
        long expectedPairs = Math.round(pairs * (1 - Math.exp(-delivered / pairs)));
        String why = "seed " + seed + ": " + totals;
        assertThat(delivered).as(why).isGreaterThan(3_000L);
        assertThat(totals.getOrDefault("agentPairs", 0L)).as(why).isGreaterThan(expectedPairs / 2);
        assertThat(totals.getOrDefault("agentPairFollowUps", 0L)).as(why).isGreaterThan(delivered / 5);
    }

    @Test
    void anAgentSeedReplaysExactly() {
        SimResult first = new Simulation(config(11), false).run();
        SimResult second = new Simulation(config(11), false).run();
        assertThat(first.history()).hasSameSizeAs(second.history());
        assertThat(second.history()).isEqualTo(first.history());
        assertThat(first.history()).anyMatch(e -> e instanceof HistoryEvent.AgentDelivered);
    }

    /** Each sabotage of the simulated application, in runs with agents, is found: the checker can fail. */
    @Test
    void sabotagedAgentRunsAreCaught() {
        Map<Simulation.Sabotage, List<CheckReport.Kind>> expected = new HashMap<>();
        expected.put(Simulation.Sabotage.SKIP_ONE, List.of(CheckReport.Kind.LOST, CheckReport.Kind.REORDERED));
        expected.put(Simulation.Sabotage.PROCESS_TWICE, List.of(CheckReport.Kind.DUPLICATED));
        expected.put(Simulation.Sabotage.REVERSE_RUN, List.of(CheckReport.Kind.REORDERED));
        expected.put(Simulation.Sabotage.MISATTRIBUTE, List.of(CheckReport.Kind.PHANTOM));
        for (var e : expected.entrySet()) {
            int sabotaged = 0;
            for (long seed = 1; seed <= 5; seed++) {
                SimConfig cfg = config(seed).withPublishRate(0).withoutFaults();
                SimResult r = new Simulation(cfg, false, e.getKey()).run();
                if (!r.counters().containsKey("sabotaged")) continue; // nothing to sabotage in this run
                sabotaged++;
                assertThat(e.getValue().stream().anyMatch(k -> r.report().count(k) > 0))
                        .as("seed " + seed + " sabotage " + e.getKey() + ": " + r.report())
                        .isTrue();
            }
            assertThat(sabotaged).as(e.getKey() + " sabotaged runs").isGreaterThan(0);
        }
    }
}
