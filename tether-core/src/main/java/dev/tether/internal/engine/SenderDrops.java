package dev.tether.internal.engine;

import dev.tether.MessageDroppedException;
import dev.tether.Outcome;
import dev.tether.spi.WriteBatch;
import java.util.Map;

/**
 * Overflow policy DROP_OLDEST on the sending side (docs/BUS-DESIGN.md 4.3): drops a full stream's oldest message never
 * transmitted ({@link OutStream#dropOldest}, {@link DroppedHere}) or its oldest send waiting for a batch, and keeps
 * the stored record of dropped messages whose rows the store still holds ({@link DroppedRows}) so that a restarted
 * process does not send them. Part of {@link Senders}; the engine's thread only.
 */
final class SenderDrops {
    private final Map<StreamKey, OutStream> streams;
    private final EngineOutput out;
    /** The senders' streams whose store holds settled messages (a trim is due). */
    private final StreamSet<OutStream> trimDirty;
    /** Tells the senders that a send waiting for a batch was taken out. */
    private final Runnable pendingTaken;
    /** Streams whose stored record must be written with the next batch. */
    private final StreamSet<OutStream> recordDirty = new StreamSet<>(32);

    SenderDrops(
            Map<StreamKey, OutStream> streams,
            EngineOutput out,
            StreamSet<OutStream> trimDirty,
            Runnable pendingTaken) {
        this.streams = streams;
        this.out = out;
        this.trimDirty = trimDirty;
        this.pendingTaken = pendingTaken;
    }

    /**
     * Drops the oldest message of stream {@code key} never transmitted, to make room for a new one: a numbered one is
     * settled here, its outcome DROPPED (now if it is committed, else when its batch is); else the oldest send waiting
     * for a batch is taken out, its {@code accepted()} failing with {@link MessageDroppedException}. False if there is
     * none: every message the stream holds was transmitted (or may have been, by an earlier lifetime). A volatile
     * stream drops nothing.
     */
    boolean dropOldest(StreamKey key) {
        OutStream s = streams.get(key);
        if (s == null || s.isVolatile()) return false;
        long settledBefore = s.settledSeq();
        long seq = s.dropOldest();
        if (seq > 0) {
            if (seq <= s.committedSeq()) out.outcome(key, seq, Outcome.DROPPED);
            if (s.settledSeq() > settledBefore) trimDirty.add(s);
            recordDirty.add(s);
            return true;
        }
        if (s.pendingCount() == 0) return false;
        PendingSend p = s.nextPending();
        pendingTaken.run();
        out.rejected(
                p.token(),
                new MessageDroppedException("dropped by policy DROP_OLDEST before it was stored, to make room in"
                        + " stream " + key + " for a newer message"));
        return true;
    }

    /** Before the first input: the records an earlier process stored ({@link DroppedRows#decode}). */
    void restore(Map<StreamKey, long[]> records) {
        for (Map.Entry<StreamKey, long[]> e : records.entrySet()) {
            OutStream s = streams.get(e.getKey());
            if (s == null || s.isVolatile() || s.log != null) continue;
            s.drops.restore(e.getValue(), s.ackedSeq(), s.committedSeq(), s::settleHere);
            if (s.trimDue()) trimDirty.add(s);
            recordDirty.add(s); // rewritten with the numbers still stored, or deleted
        }
    }

    /** {@code s} changed its record's numbers: its settled prefix moved, or a batch holding drops or the record failed. */
    void changed(OutStream s) {
        if (s.drops.recordAgain()) recordDirty.add(s);
    }

    boolean hasWrites() {
        return !recordDirty.isEmpty();
    }

    /** Writes the records that are due into {@code w}; on failure of {@code b} they are written again ({@link #changed}). */
    void writeTo(Batch b, WriteBatch w) {
        for (OutStream s : recordDirty.drain()) {
            long[] runs = s.drops.recordToWrite(s.settledSeq());
            if (runs == null) continue;
            DroppedRows.write(w, s.key, runs);
            b.trimmed.add(new Batch.Trimmed(s, 0)); // no trim; a failed batch brings the stream back (retryLater)
        }
    }
}
