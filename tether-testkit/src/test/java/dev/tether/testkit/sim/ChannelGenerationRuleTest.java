package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The channel rules per join generation ({@link ChannelRules}, {@link ReaderGenerations}) beside the rule that a lost
 * withdrawal is sent again ({@link CancelResendRuleTest}): seeds 1..N drawn as the simulation draws them, with
 * publishes on channels, readers joining, leaving and joining again, cancelled calls, frame loss, slow handlers (so
 * that a run handed out before a leave is still processed after the join again) and each seed's crashes, partitions,
 * flaps and shutdowns. {@code -Dtether.sim.channelSeed=S} runs seed S alone (each seed's line is printed).
 */
class ChannelGenerationRuleTest {
    private static final int SEEDS = Integer.getInteger("tether.sim.channelSeeds", 60);
    private static final Long ONE = Long.getLong("tether.sim.channelSeed");

    private static SimConfig withChannels(long seed) {
        SimConfig.Builder b = SimConfig.random(seed).toBuilder();
        b.requestRate = Math.max(b.requestRate, 0.4);
        b.cancelRate = 0.3;
        b.dropRate = Math.max(b.dropRate, 0.03);
        b.slowHandlerRate = 0.1;
        b.maxSlowMillis = 2_000;
        b.maxRetransmitMillis = 2 * b.retransmitMillis;
        b.publishRate = 0.4;
        b.membershipChanges = 60; // readers leave and join again often
        return b.build();
    }

    private static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        if (ONE != null) seeds.add(ONE);
        else for (long s = 1; s <= SEEDS; s++) seeds.add(s);
        return seeds;
    }

    @Test
    void eachReaderGetsItsMessagesOncePerGeneration() {
        Map<String, Long> totals = new TreeMap<>();
        List<String> failed = new ArrayList<>();
        for (long seed : seeds()) {
            SimResult r = new Simulation(withChannels(seed), false).run();
            Map<String, Long> t = r.report().totals();
            System.out.println("ChannelGenerationRuleTest seed " + seed + ": " + (r.ok() ? "ok" : "FAILED")
                    + ", joins again " + t.getOrDefault("channelJoinsAgain", 0L) + ", delivered in an ended generation "
                    + t.getOrDefault("deliveredInEndedGeneration", 0L));
            if (!r.ok()) failed.add("seed " + seed + ": " + r.describe());
            for (String k : List.of(
                    "channelJoins",
                    "channelJoinsAgain",
                    "channelLeaves",
                    "deliveredOnChannels",
                    "deliveredInEndedGeneration",
                    "cancelRequested",
                    "crashes")) {
                totals.merge(k, t.getOrDefault(k, 0L), Long::sum);
            }
            totals.merge(
                    "withdrawalsResentAfterLoss",
                    r.counters().getOrDefault("withdrawalsResentAfterLoss", 0L),
                    Long::sum);
        }
        System.out.println("ChannelGenerationRuleTest: seeds " + seeds().size() + ", totals " + totals);
        assertThat(failed).isEmpty();
        if (ONE != null) return;
        assertThat(totals.get("channelJoinsAgain")).as("readers joined again").isPositive();
        assertThat(totals.get("deliveredInEndedGeneration"))
                .as("runs outlived their generation")
                .isPositive();
        assertThat(totals.get("withdrawalsResentAfterLoss"))
                .as("withdrawals resent")
                .isPositive();
    }

    @Test
    void aChannelMessageProcessedTwiceInItsGenerationIsCaught() {
        int sabotaged = 0;
        int caught = 0;
        for (long seed : seeds()) {
            SimResult r = new Simulation(withChannels(seed), false, Simulation.Sabotage.CHANNEL_TWICE).run();
            if (!r.counters().containsKey("sabotaged")) continue;
            sabotaged++;
            if (r.report().count(CheckReport.Kind.DUPLICATED) > 0) caught++;
            else System.out.println("ChannelGenerationRuleTest seed " + seed + ": sabotaged, not caught");
        }
        System.out.println("ChannelGenerationRuleTest: " + sabotaged + " sabotaged, " + caught + " caught");
        assertThat(caught).as("runs caught").isEqualTo(sabotaged);
        if (ONE == null) assertThat(sabotaged).as("runs sabotaged").isGreaterThanOrEqualTo(3);
    }
}
