package dev.tether.bench.measure;

import java.util.List;
import java.util.Locale;

/**
 * The discarded rounds before the measured ones: the cold first round and those after it, up to the point where
 * {@link Steady}'s rule held (or its cap was reached). Immutable.
 *
 * @param rounds every warm-up round, the cold one first; never empty
 * @param steady true if the last two differed by less than {@link Steady#TOLERANCE}, false if the cap ended it
 */
public record WarmUp(List<Round> rounds, boolean steady) {
    public WarmUp {
        if (rounds.isEmpty()) throw new IllegalArgumentException("a warm-up has at least the cold round");
        rounds = List.copyOf(rounds);
    }

    /** The first round of a fresh process (or a fresh pair of nodes): what a restarted daemon lives in. */
    public Round cold() {
        return rounds.get(0);
    }

    /** Wall seconds of all warm-up rounds: how long the process ran below its steady rate. */
    public double seconds() {
        return rounds.stream().mapToDouble(Round::seconds).sum();
    }

    /** E.g. {@code "steady after 3 warm-up rounds (4.2 s)"} or {@code "NOT steady after 6 warm-up rounds"}. */
    public String text() {
        return String.format(
                Locale.ROOT,
                "%s after %d warm-up round%s (%.1f s)",
                steady ? "steady" : "NOT steady",
                rounds.size(),
                rounds.size() == 1 ? "" : "s",
                seconds());
    }
}
