package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulation's rule that a withdrawal the network lost on a connection that stays up is sent again
 * ({@link CancelResends}): it holds for the engine, and it catches an engine that never sends a CANCEL again (as the
 * engine did before, when a lost CANCEL lost the withdrawal and the cancelled call ran). Seeds 1..N, each drawn as the
 * simulation draws it with more requests, cancellations, frame loss and slow handlers than most seeds have.
 */
class CancelResendRuleTest {
    private static final int SEEDS = Integer.getInteger("tether.sim.cancelSeeds", 60);

    private static SimConfig lossy(long seed) {
        SimConfig.Builder b = SimConfig.random(seed).toBuilder();
        b.requestRate = Math.max(b.requestRate, 0.5);
        b.cancelRate = 0.3;
        b.dropRate = Math.max(b.dropRate, 0.05);
        // Calls wait long behind slow ones at the callee, well beyond the bound of the resend (short timeouts).
        b.slowHandlerRate = 0.2;
        b.maxSlowMillis = 3_000;
        b.maxRetransmitMillis = 2 * b.retransmitMillis;
        // No channels here, so that each seed keeps the run it had: ChannelGenerationRuleTest runs this rule with
        // channels (readers joining again while runs of their earlier generation are still processed).
        b.publishRate = 0;
        return b.build();
    }

    private static boolean caught(SimResult r) {
        return r.report().examples(CheckReport.Kind.ANOMALY).stream().anyMatch(e -> e.contains("not sent again"));
    }

    @Test
    void aLostWithdrawalIsSentAgain() {
        long resent = 0;
        List<String> failed = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            SimResult r = new Simulation(lossy(seed), false).run();
            if (!r.ok()) failed.add("seed " + seed + ": " + r.describe());
            resent += r.counters().getOrDefault("withdrawalsResentAfterLoss", 0L);
        }
        System.out.println(
                "CancelResendRuleTest: seeds 1.." + SEEDS + ", withdrawals sent again after a loss: " + resent);
        assertThat(failed).isEmpty();
        assertThat(resent).as("the rule was exercised").isPositive();
    }

    @Test
    void anEngineThatNeverSendsACancelAgainIsCaught() {
        int sabotaged = 0;
        int caught = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            SimResult r = new Simulation(lossy(seed), false, Simulation.Sabotage.NO_CANCEL_RESEND).run();
            if (r.counters().containsKey("sabotaged")) sabotaged++;
            if (caught(r)) caught++;
        }
        System.out.println(
                "CancelResendRuleTest: seeds 1.." + SEEDS + ", " + sabotaged + " sabotaged, " + caught + " caught");
        assertThat(caught).as("runs caught of " + sabotaged + " sabotaged").isGreaterThanOrEqualTo(3);
    }
}
