package dev.tether.internal.engine;

import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Withdrawal on the sending side (mechanism E3, a cancelled call; docs/PROTOCOL.md, "Withdrawal"). On a stored stream
 * the mark is stored ({@link WithdrawnMarks}) before it takes effect: until the batch holding it is durable the message
 * is held back, and only then do its transmissions become CANCELLED markers and a CANCEL frame follow one transmitted
 * already. So nothing the receiver sees depends on the withdrawal before a restart of this process could forget it.
 * A volatile stream's (and a shared-log reader's) withdrawal is in memory only and takes effect at once. Part of
 * {@link Senders}; the engine's thread only.
 */
final class SenderWithdrawals {
    private final Map<StreamKey, OutStream> streams;
    private final FrameWriter frames;
    private final PeerTable peers;
    private final Transmitter transmitter;
    private final LoopbackLinks loopback;
    /** Tells the senders that a stream may transmit (or hand over) more. */
    private final Consumer<OutStream> wake;
    /** Streams with marks to write or delete with the next batch. */
    private final StreamSet<OutStream> dirty = new StreamSet<>(8);
    /** Stored marks of no unsettled message of a stream here (read at a restart): deleted with the next batch. */
    private final List<String> orphans = new ArrayList<>();

    SenderWithdrawals(
            Map<StreamKey, OutStream> streams,
            FrameWriter frames,
            PeerTable peers,
            Transmitter transmitter,
            LoopbackLinks loopback,
            Consumer<OutStream> wake) {
        this.streams = streams;
        this.frames = frames;
        this.peers = peers;
        this.transmitter = transmitter;
        this.loopback = loopback;
        this.wake = wake;
    }

    /**
     * Withdraws message {@code seq} of {@code key}: on a stored stream once its mark is durable (held back until then),
     * else at once. Nothing if the receiver took care of it already.
     */
    void cancel(StreamKey key, long seq) {
        OutStream s = streams.get(key);
        if (s == null || !s.withdraw(seq)) return;
        if (s.withdrawals.contains(seq)) inEffect(s, seq); // memory only
        else dirty.add(s);
    }

    /**
     * The withdrawal of {@code seq} takes effect: its next transmission is a marker, and one transmitted on this
     * connection is followed by a CANCEL (handed over to a loopback receiver: withdrawn there).
     */
    private void inEffect(OutStream s, long seq) {
        if (s.isLoopback()) loopback.cancel(s, seq);
        else if (seq <= s.sentUpTo() && peers.connected(s.key.peer())) {
            frames.cancel(s.key.peer(), s.key.lane(), transmitter.epochOf(s), seq); // the boot id for a volatile stream
        }
    }

    /** {@code s}'s settled prefix moved: the marks of settled messages are deleted with the next batch. */
    void settled(OutStream s) {
        if (stored(s) && !s.withdrawals.isEmpty() && s.withdrawals.settled(s.settledSeq())) dirty.add(s);
    }

    private static boolean stored(OutStream s) {
        return !s.isVolatile() && s.log == null;
    }

    /**
     * Before the first input: the marks an earlier process stored ({@link WithdrawnMarks}). Those of unsettled messages
     * take effect; the others (their message settled before the delete was stored) are deleted with the next batch.
     */
    void restore(List<KeyValue> entries) {
        for (KeyValue kv : entries) {
            StreamKey k = WithdrawnMarks.stream(kv.key());
            OutStream s = k == null ? null : streams.get(k);
            long seq = WithdrawnMarks.seq(kv.key());
            if (s != null && stored(s) && seq > s.settledSeq() && seq <= s.committedSeq())
                Withdrawals.of(s).restore(seq);
            else orphans.add(kv.key());
        }
    }

    boolean hasWrites() {
        return !dirty.isEmpty() || !orphans.isEmpty();
    }

    /** Writes the marks due into {@code w}, recorded in {@code b} for {@link #committed} or {@link #retryLater}. */
    void writeTo(Batch b, WriteBatch w) {
        for (String key : orphans) {
            WithdrawnMarks.delete(w, key);
            b.marks.add(new Batch.Mark(null, key, false));
        }
        orphans.clear();
        for (OutStream s : dirty.drain()) {
            for (long seq : s.withdrawals.takePuts(s.settledSeq())) {
                WithdrawnMarks.put(w, s.key, seq);
                b.marks.add(new Batch.Mark(s, seq, true));
            }
            for (long seq : s.withdrawals.takeDeletes()) {
                WithdrawnMarks.delete(w, WithdrawnMarks.key(s.key, seq));
                b.marks.add(new Batch.Mark(s, seq, false));
            }
        }
    }

    /** Batch {@code b} is durable: its marks take effect (or, for messages settled meanwhile, are deleted next). */
    void committed(Batch b) {
        for (Batch.Mark m : b.marks) {
            if (!m.put()) continue;
            OutStream s = m.stream();
            if (s.withdrawals.putCommitted(m.seq(), s.settledSeq())) {
                inEffect(s, m.seq());
                wake.accept(s); // what it held back may go now
            } else {
                dirty.add(s);
            }
        }
    }

    /** Batch {@code b} was not stored: its marks are written (or deleted) again with the next one. */
    void retryLater(Batch b) {
        for (Batch.Mark m : b.marks) {
            OutStream s = m.stream();
            if (s == null) {
                orphans.add(m.key());
                continue;
            }
            if (m.put()) s.withdrawals.putFailed(m.seq());
            else s.withdrawals.deleteFailed(m.seq());
            if (s.withdrawals.hasWrites()) dirty.add(s);
        }
    }
}
