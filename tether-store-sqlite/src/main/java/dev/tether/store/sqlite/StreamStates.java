package dev.tether.store.sqlite;

import dev.tether.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * The outbox streams' rows ({@code last_seq}, {@code acked_seq}) as the store's connection last read or wrote them,
 * kept in memory so that a commit does not read its streams' rows again: at half load a commit of ~50 messages
 * over 4 lanes otherwise ran one SELECT per lane. Only {@link BatchWriter} writes the {@code streams} table (the
 * store owns its file exclusively, and handlers must not touch Tether's tables), so what it wrote is what is
 * stored, once committed. Two maps: {@code committed} (what a committed transaction left, or a read found) and
 * {@code pending} (what the open transaction wrote); a commit moves the second into the first, a rollback clears
 * both (after a failed COMMIT what is on disk is not known, so the rows are read again). Not thread-safe: the
 * store's thread.
 */
final class StreamStates {
    /** The key of an outbox stream. */
    record Key(NodeId to, String lane) {}

    /** A stream's row, or zeros for a stream without one. */
    record State(long lastSeq, long ackedSeq) {}

    private final Map<Key, State> committed = new HashMap<>();
    private final Map<Key, State> pending = new HashMap<>();

    /** The state of {@code key} in the open transaction, or null if it must be read from the table. */
    State get(Key key) {
        State s = pending.get(key);
        return s != null ? s : committed.get(key);
    }

    /** Records what a read of the table found for {@code key} (the same inside and outside the transaction). */
    void read(Key key, State s) {
        committed.put(key, s);
    }

    /** Records what the open transaction wrote to {@code key}'s row. */
    void wrote(Key key, State s) {
        pending.put(key, s);
    }

    /**
     * A transaction began: nothing is pending (a transaction the store's fault-injection paths rolled back without
     * telling the runner may have left some).
     */
    void begun() {
        pending.clear();
    }

    /** The open transaction committed: its rows are now the stored ones. */
    void committed() {
        committed.putAll(pending);
        pending.clear();
    }

    /** The open transaction was rolled back (or its commit failed): forget everything, read the rows again. */
    void rolledBack() {
        committed.clear();
        pending.clear();
    }
}
