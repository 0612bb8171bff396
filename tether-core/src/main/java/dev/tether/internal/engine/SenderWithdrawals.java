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
 * A volatile stream's (and a shared-log reader's) withdrawal is in memory only and takes effect at once.
 *
 * <p>A CANCEL is a single frame, and a transport may lose one on a connection that stays up (NATS) or with its
 * connection. So from the first withdrawal in effect until every withdrawn message of the stream is settled, the stream
 * resends the CANCELs of those the receiver may hold (above {@code ackedSeq}, transmitted on this connection or by this
 * process before) on a timer of its own ({@link #resendDue}): after the initial retransmission timeout, then backing off
 * to the largest, at most {@value #MAX_RESENT_PER_STREAM} per stream and {@value #MAX_RESENT_PER_TICK} per tick, and at
 * once when the stream opens on a new connection ({@link #opened}). It stops when the acknowledgment passes them: the
 * receiver settled each, as cancelled (OUTCOME 4) or processed (it had started it), or it expired or was dropped. Only
 * the streams with withdrawn, unsettled messages have this timer: idle streams cost nothing. The receiver takes a
 * repeated CANCEL as a no-op. Part of {@link Senders}; the engine's thread only.
 */
final class SenderWithdrawals {
    /** Most CANCELs one stream sends again when its resend is due; the next resend goes on where it stopped. */
    static final int MAX_RESENT_PER_STREAM = 64;
    /** Most CANCELs sent again in one tick over all streams; the streams beyond it go on the next tick. */
    static final int MAX_RESENT_PER_TICK = 1024;

    private final EngineConfig cfg;
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
    /** The tick whose budget {@link #resentLeft} is, and the CANCELs it may still send again. */
    private long resendTick = Long.MIN_VALUE;

    private int resentLeft;

    SenderWithdrawals(
            EngineConfig cfg,
            Map<StreamKey, OutStream> streams,
            FrameWriter frames,
            PeerTable peers,
            Transmitter transmitter,
            LoopbackLinks loopback,
            Consumer<OutStream> wake) {
        this.cfg = cfg;
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
    void cancel(long now, StreamKey key, long seq) {
        OutStream s = streams.get(key);
        if (s == null || !s.withdraw(seq)) return;
        if (s.withdrawals.contains(seq)) inEffect(now, s, seq); // memory only
        else dirty.add(s);
    }

    /**
     * The withdrawal of {@code seq} takes effect: its next transmission is a marker, and one transmitted on this
     * connection is followed by a CANCEL (handed over to a loopback receiver: withdrawn there), sent again until the
     * message is settled.
     */
    private void inEffect(long now, OutStream s, long seq) {
        if (s.isLoopback()) {
            loopback.cancel(s, seq); // no frame to lose
            return;
        }
        if (mayHold(s, seq) && peers.connected(s.key.peer())) sendCancel(s, seq);
        s.withdrawals.resendAfter(now, cfg.retransmitMillis());
        s.armTimer();
    }

    /**
     * Whether the receiver may hold message {@code seq} of {@code s}: transmitted on this connection, or by this process
     * before (the retransmission timer may have gone back below it, and the marker that goes instead may wait behind a
     * held withdrawal: the receiver may hold it meanwhile). A CANCEL for one it does not hold is kept until the message
     * arrives, and so does no harm.
     */
    private static boolean mayHold(OutStream s, long seq) {
        return seq <= s.sentUpTo() || s.transmissions(seq) > 0;
    }

    private void sendCancel(OutStream s, long seq) {
        frames.cancel(s.key.peer(), s.key.lane(), transmitter.epochOf(s), seq); // the boot id for a volatile stream
    }

    /**
     * {@code s} opened on a new connection: the receiver's first ACK may have stated messages it held from before,
     * which are not transmitted again (not even as markers), so the CANCELs of the withdrawn ones among them go now.
     */
    void opened(long now, OutStream s) {
        if (s.withdrawals.isEmpty() || s.isLoopback() || !s.withdrawals.anyMarkedAbove(s.ackedSeq())) return;
        s.withdrawals.resendCursor(0);
        sendCancels(s, MAX_RESENT_PER_STREAM);
        s.withdrawals.resendAfter(now, cfg.retransmitMillis());
        s.armTimer();
    }

    /**
     * The timer of {@code s} fired ({@link Senders#tick}): if its resend is due, the CANCELs of its withdrawn messages
     * the receiver may hold go again, within this tick's budget, and the next resend backs off; once none is left
     * unsettled the resends stop. The caller arms the timer again.
     */
    void resendDue(long now, OutStream s) {
        Withdrawals w = s.withdrawals;
        if (w.resendAt() > now) return;
        if (!w.anyMarkedAbove(s.ackedSeq())) {
            w.resendDone(); // each settled: the receiver's ACK and OUTCOME told the truth
            return;
        }
        if (now != resendTick) {
            resendTick = now;
            resentLeft = MAX_RESENT_PER_TICK;
        }
        if (resentLeft == 0) {
            w.resendNextTick(now);
            return;
        }
        resentLeft -= sendCancels(s, Math.min(resentLeft, MAX_RESENT_PER_STREAM));
        w.resent(now, cfg.maxRetransmitMillis());
    }

    /**
     * Sends the CANCELs of up to {@code max} withdrawn messages of {@code s} the receiver may hold (above its
     * acknowledgment, {@link #mayHold}), in order from where the last resend stopped at its bound, else from the lowest;
     * returns how many went.
     */
    private int sendCancels(OutStream s, int max) {
        if (!peers.connected(s.key.peer()) || s.link() != OutLink.OPEN) return 0; // the next OPEN's ACK says more
        Withdrawals w = s.withdrawals;
        int n = 0;
        long last = 0;
        long next = 0; // all sent: the next resend starts from the lowest again
        for (long seq : w.markedAbove(Math.max(s.ackedSeq(), w.resendCursor()))) {
            if (!mayHold(s, seq)) break; // never transmitted, nor those after it: they go as markers
            if (n == max) {
                next = last;
                break;
            }
            sendCancel(s, seq);
            last = seq;
            n++;
        }
        w.resendCursor(next);
        return n;
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
    void committed(long now, Batch b) {
        for (Batch.Mark m : b.marks) {
            if (!m.put()) continue;
            OutStream s = m.stream();
            if (s.withdrawals.putCommitted(m.seq(), s.settledSeq())) {
                inEffect(now, s, m.seq());
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
