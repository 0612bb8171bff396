package dev.tether.bench.measure;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Steady}'s warm-up rule fed one round at a time, for a caller that interleaves the warm-up rounds of two
 * scenarios (a paired run): the rounds are discarded until two consecutive ones differ by less than {@link
 * Steady#TOLERANCE}, at least two and at most {@code maxWarmUp}. Confined to one thread at a time.
 */
public final class WarmUpRounds {
    private final int maxWarmUp;
    private final List<Round> rounds = new ArrayList<>();
    private boolean steady;

    public WarmUpRounds(int maxWarmUp) {
        if (maxWarmUp < 1) throw new IllegalArgumentException("maxWarmUp must be >= 1, was " + maxWarmUp);
        this.maxWarmUp = maxWarmUp;
    }

    /** The name the next round is printed with: {@code "cold round"}, then {@code "warm-up 2"}, ... */
    public String nextName() {
        return rounds.isEmpty() ? "cold round" : "warm-up " + (rounds.size() + 1);
    }

    /** Adds the next warm-up round; true if the warm-up is over (steady now, or at the cap). */
    public boolean add(Round r) {
        if (over()) throw new IllegalStateException("the warm-up is over");
        rounds.add(r);
        int n = rounds.size();
        steady = n >= 2 && Steady.close(rounds.get(n - 2).value(), r.value());
        return over();
    }

    public boolean over() {
        return steady || rounds.size() >= maxWarmUp;
    }

    /** The warm-up so far; at least one round added. */
    public WarmUp warmUp() {
        return new WarmUp(rounds, steady);
    }
}
