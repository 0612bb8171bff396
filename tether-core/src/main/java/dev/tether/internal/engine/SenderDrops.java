package dev.tether.internal.engine;

import dev.tether.MessageDroppedException;
import dev.tether.Outcome;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Overflow policy DROP_OLDEST on the sending side (docs/BUS-DESIGN.md 4.3): drops a full stream's oldest message never
 * transmitted ({@link OutStream#dropOldest}, {@link DroppedHere}) or its oldest send waiting for a batch, and keeps
 * the stored record of dropped messages whose rows the store still holds ({@link DroppedRows}) so that a restarted
 * process does not send them. A drop takes effect once the batch that stores it (the trim past it, or the record) is
 * durable: until then its DROPPED marker and everything after it are held back and the application is not told
 * DROPPED (docs/PROTOCOL.md, sender step 10), so a crash before then loses the drop whole, and the receiver never gets
 * the marker from one process and the message from the next. Part of {@link Senders}; the engine's thread only.
 */
final class SenderDrops {
    private final Map<StreamKey, OutStream> streams;
    private final EngineOutput out;
    /** The senders' streams whose store holds settled messages (a trim is due). */
    private final StreamSet<OutStream> trimDirty;
    /** Tells the senders that a send waiting for a batch was taken out. */
    private final Runnable pendingTaken;
    /** Tells the senders that a stream may transmit more (a drop it held back is durable). */
    private final Consumer<OutStream> wake;
    /** Streams whose stored record must be written with the next batch. */
    private final StreamSet<OutStream> recordDirty = new StreamSet<>(32);
    /** Records read at a restart for no stream that drops here: deleted with the next batch. */
    private final List<StreamKey> orphans = new ArrayList<>();

    SenderDrops(
            Map<StreamKey, OutStream> streams,
            EngineOutput out,
            StreamSet<OutStream> trimDirty,
            Runnable pendingTaken,
            Consumer<OutStream> wake) {
        this.streams = streams;
        this.out = out;
        this.trimDirty = trimDirty;
        this.pendingTaken = pendingTaken;
        this.wake = wake;
    }

    /**
     * Drops the oldest message of stream {@code key} never transmitted, to make room for a new one: a numbered one is
     * settled here (now if it is committed, else when its batch is), and once the batch storing the drop is durable its
     * outcome is DROPPED and its marker may go ({@link #committed}); else the oldest send waiting
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
            if (s.settledSeq() > settledBefore) trimDirty.add(s);
            recordDirty.add(s); // the next batch stores the drop: its trim or the record
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

    /**
     * Before the first input: the records an earlier process stored ({@link DroppedRows#decode}). A record of a stream
     * that drops no stored message (a loopback stream, whose trims its receiving half writes, a volatile one, a
     * reader) or of no stream here cannot be one this engine wrote, nor would anything rewrite it: deleted.
     */
    void restore(Map<StreamKey, long[]> records) {
        for (Map.Entry<StreamKey, long[]> e : records.entrySet()) {
            OutStream s = streams.get(e.getKey());
            if (s == null || s.isVolatile() || s.log != null || s.isLoopback()) {
                orphans.add(e.getKey());
                continue;
            }
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
        return !recordDirty.isEmpty() || !orphans.isEmpty();
    }

    /**
     * Writes the records that are due into {@code w}, after the trims (Senders#writeTo); {@code b} notes the held drops
     * it stores. On failure of {@code b} they are written again ({@link #changed}, {@link #retryLater}).
     */
    void writeTo(Batch b, WriteBatch w) {
        for (StreamKey k : orphans) DroppedRows.write(w, k, new long[0]);
        b.droppedOrphans.addAll(orphans);
        orphans.clear();
        for (OutStream s : recordDirty.drain()) {
            long[] runs = s.drops.recordToWrite(s.settledSeq());
            if (runs != null) {
                DroppedRows.write(w, s.key, runs);
                b.trimmed.add(new Batch.Trimmed(s, 0)); // no trim; a failed batch brings the stream back (retryLater)
            }
            long[] stored = s.drops.takeUnwritten();
            if (stored != null) b.drops.add(new Batch.Dropped(s, stored));
        }
    }

    /** Batch {@code b} is durable: the drops it stores take effect, DROPPED reported and their markers free to go. */
    void committed(Batch b) {
        for (Batch.Dropped d : b.drops) {
            OutStream s = d.stream();
            for (long seq : d.seqs()) {
                // Not if an operator purged it meanwhile: PURGED was its outcome.
                if (s.drops.durable(seq) && s.awaitsOutcome(seq)) out.outcome(s.key, seq, Outcome.DROPPED);
            }
            wake.accept(s);
        }
    }

    /** Batch {@code b} was not stored: the drops it was to store go into the next one, still held. */
    void retryLater(Batch b) {
        orphans.addAll(b.droppedOrphans);
        for (Batch.Dropped d : b.drops) {
            for (long seq : d.seqs()) d.stream().drops.unstored(seq);
            recordDirty.add(d.stream());
        }
    }
}
