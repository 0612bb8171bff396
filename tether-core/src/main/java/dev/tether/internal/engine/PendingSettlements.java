package dev.tether.internal.engine;

import dev.tether.Lanes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What settled messages of inbound streams leave to do once their stream's cursor is stored: per stream, the outcomes
 * to report to the sender (messages settled without processing) and the effects to append in the batch that writes
 * the cursor (replies, key writes). Both maps are empty unless such messages were settled, so the common batch does no
 * lookups. Not thread-safe: the engine's thread only.
 */
final class PendingSettlements {
    private final Map<InStream, List<Batch.Outcome>> outcomes = new HashMap<>();
    private final Map<InStream, List<Effect>> effects = new HashMap<>();

    /** Message {@code seq} of {@code s} was settled without processing: {@code outcome} is reported after the commit. */
    void outcome(InStream s, long seq, int outcome) {
        outcomes.computeIfAbsent(s, k -> new ArrayList<>()).add(new Batch.Outcome(seq, outcome));
    }

    /**
     * {@code e} go into the batch that writes the cursor of {@code s}, never into an earlier or later one.
     *
     * @throws IllegalArgumentException if one is durable on a volatile stream or the other way round
     */
    void effects(InStream s, List<Effect> e) {
        for (Effect x : e) {
            if (x.isLocalWrite() ? s.key.isVolatile() : Lanes.isVolatile(x.lane()) != s.key.isVolatile()) {
                // Atomic with a stored cursor needs a stored effect, and an unstored cursor cannot carry a stored one.
                Object what = x.isKeyWrite() ? x.keyWrite() : x.isChannelWrite() ? x.channel() : "on lane " + x.lane();
                throw new IllegalArgumentException("effect " + what
                        + " of a settlement on " + s.key + ": a volatile stream's effects go on volatile lanes and"
                        + " write no keys, a durable one's on durable lanes");
            }
        }
        effects.computeIfAbsent(s, k -> new ArrayList<>()).addAll(e);
    }

    /** A new incarnation of the sender: what the earlier one's messages left to do is void. */
    void forget(InStream s) {
        outcomes.remove(s);
        effects.remove(s);
    }

    /** The outcomes of {@code s} waiting, now taken; empty if none. */
    List<Batch.Outcome> takeOutcomes(InStream s) {
        List<Batch.Outcome> l = outcomes.isEmpty() ? null : outcomes.remove(s);
        return l == null ? List.of() : l;
    }

    /** Whether effects of {@code s} wait for the batch that writes its cursor. */
    boolean hasEffects(InStream s) {
        return !effects.isEmpty() && effects.containsKey(s);
    }

    /** The effects of {@code s} waiting, now taken; empty if none. */
    List<Effect> takeEffects(InStream s) {
        List<Effect> l = effects.isEmpty() ? null : effects.remove(s);
        return l == null ? List.of() : l;
    }

    /** Cursor {@code c} was not stored: its outcomes and effects go in front of what is waiting for its stream. */
    void putBack(Batch.Cursor c) {
        if (!c.outcomes().isEmpty()) {
            outcomes.computeIfAbsent(c.stream(), k -> new ArrayList<>()).addAll(0, c.outcomes());
        }
        if (!c.effects().isEmpty()) {
            effects.computeIfAbsent(c.stream(), k -> new ArrayList<>()).addAll(0, c.effects());
        }
    }
}
