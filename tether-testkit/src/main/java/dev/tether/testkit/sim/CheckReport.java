package dev.tether.testkit.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What {@link HistoryChecker} found: violation counts with the first few examples of each, and totals. */
public final class CheckReport {
    /** Kinds of violation. */
    public enum Kind {
        /** A committed message never taken care of, or taken care of without cause (early expiry, ...). */
        LOST,
        /** A message delivered again after being processed, without a receiver crash between, or unflagged. */
        DUPLICATED,
        /** Out-of-order first deliveries, or a delivery while an earlier message was not taken care of. */
        REORDERED,
        /** A delivered, expired or dead-lettered message that its sender never committed. */
        PHANTOM,
        /** Something else that must not happen: protocol errors, rejected batches, inconsistent receipts. */
        ANOMALY,
        /** The run did not drain, or a send was never answered. */
        LIVENESS,
        /** A message handed to the application at or after its deadline (its time to live had run out). */
        LATE
    }

    /** Examples kept per kind. */
    public static final int EXAMPLES = 5;

    private final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    private final Map<Kind, List<String>> examples = new EnumMap<>(Kind.class);
    private final Map<String, Long> totals;

    CheckReport(Map<String, Long> totals) {
        this.totals = totals;
    }

    void add(Kind kind, String example) {
        counts.merge(kind, 1, Integer::sum);
        List<String> l = examples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (l.size() < EXAMPLES) l.add(example);
    }

    /** True if no violation of any kind was found. */
    public boolean clean() {
        return counts.isEmpty();
    }

    public int count(Kind kind) {
        return counts.getOrDefault(kind, 0);
    }

    /** The first {@link #EXAMPLES} violations of {@code kind}, in history order. */
    public List<String> examples(Kind kind) {
        return Collections.unmodifiableList(examples.getOrDefault(kind, List.of()));
    }

    /** Totals (committed, processed, expired, ...), by name. */
    public Map<String, Long> totals() {
        return Collections.unmodifiableMap(totals);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(clean() ? "clean" : "VIOLATIONS").append(' ').append(totals);
        for (Kind k : Kind.values()) {
            int n = count(k);
            if (n == 0) continue;
            b.append("\n  ").append(k).append(": ").append(n);
            for (String e : examples(k)) b.append("\n    - ").append(e);
        }
        return b.toString();
    }
}
