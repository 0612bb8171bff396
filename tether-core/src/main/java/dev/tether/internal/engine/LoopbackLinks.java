package dev.tether.internal.engine;

import dev.tether.NodeId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loopback streams: streams whose receiver is this node itself (docs/BUS-DESIGN.md, section 1.3; docs/PROTOCOL.md,
 * "Loopback streams"). Each is a pair, the same {@link OutStream} and {@link InStream} as a remote stream has, joined
 * by method calls instead of frames: no OPEN, DATA, ACK, RESEND or PING, and no checksum check (nothing crossed a
 * wire). A committed message within the receiving half's credit is handed to it in the turn its commit is answered;
 * the receiving half's cursor is stored as the sending half's trim, so each batch has one writer of the position; when
 * that trim is durable the sending half counts the messages acknowledged, reports the outcomes, and hands over what
 * the credit now allows. Not thread-safe: the engine's thread only.
 */
final class LoopbackLinks {
    private final NodeId self;
    private final int window;
    private final long epoch;
    private final long bootId;
    private final EngineOutput out;
    private Receivers receivers;
    /** Told when a sending half's trim is durable (withdrawal marks of settled messages go). */
    private java.util.function.Consumer<OutStream> trimmed = s -> {};

    /** The pairs, by stream key (the same key on both sides: this node and the lane). */
    private final Map<StreamKey, Pair> pairs = new HashMap<>();
    /** Sending halves with something to hand over at the end of the turn. */
    private final StreamSet<OutStream> due = new StreamSet<>(16);

    private record Pair(OutStream out, InStream in) {}

    LoopbackLinks(EngineConfig cfg, long epoch, long bootId, EngineOutput out) {
        this.self = cfg.self();
        this.window = cfg.window();
        this.epoch = epoch;
        this.bootId = bootId;
        this.out = out;
    }

    /** Whether stream {@code key} (either side) is a loopback stream. */
    boolean isLoopback(StreamKey key) {
        return key.peer().equals(self);
    }

    /** {@code c} is told when a sending half's trim is durable. */
    void onTrimmed(java.util.function.Consumer<OutStream> c) {
        this.trimmed = c;
    }

    /** The receiving halves join {@code r}; those of streams recovered from the store join it now. */
    void bind(Receivers r) {
        this.receivers = r;
        for (Pair p : pairs.values()) r.adopt(p.in);
    }

    /**
     * Makes {@code s}, a new or recovered stream to this node, the sending half of a pair. Its receiving half starts at
     * its acknowledged position; whatever the store held above it was stored by an earlier lifetime, which may have
     * handed it out, so it comes flagged as a redelivery, while what this lifetime numbers is flagged exactly (both
     * halves are in this process).
     */
    void pair(OutStream s) {
        s.loopback();
        InStream in = new InStream(s.key, epochOf(s), s.ackedSeq());
        in.freshFrom(s.committedSeq() + 1);
        pairs.put(s.key, new Pair(s, in));
        s.loopbackHalf = in;
        in.loopbackHalf = s;
        if (receivers != null) receivers.adopt(in);
        if (s.committedSeq() > s.ackedSeq()) due.add(s); // recovered: handed over at the end of the first turn
    }

    /** The sender epoch of a loopback stream: as a remote one's, the boot id for a volatile stream. */
    private long epochOf(OutStream s) {
        return s.isVolatile() ? bootId : epoch;
    }

    /** {@code s} has committed messages, or its page arrived: hand over what credit allows at the end of the turn. */
    void wake(OutStream s) {
        due.add(s);
    }

    /**
     * The turn's delivery: hands what is due to the receiving halves, then serves every receiving stream, again while
     * settlements without processing (expiry at the head) free credit for more within the turn.
     */
    void serveDue(long now) {
        do {
            for (OutStream s : due.drain()) transfer(s);
            receivers.serveDue(now);
        } while (!due.isEmpty());
    }

    /**
     * Hands committed messages from the next one the receiving half lacks up to its credit; a message not in memory is
     * read from the store first ({@link EngineOutput#load}), and the transfer continues when it arrives.
     */
    private void transfer(OutStream s) {
        InStream in = (InStream) s.loopbackHalf;
        // Not past a withdrawn message whose mark is not durable yet (SenderWithdrawals).
        long limit =
                Math.min(Math.min(s.committedSeq(), in.credit(window)), s.withdrawals.holdLimit(in.receivedUpTo()));
        long from = in.receivedUpTo();
        while (in.receivedUpTo() < limit) {
            long seq = in.receivedUpTo() + 1;
            if (seq > s.memLast()) {
                long page = s.pageToLoad();
                if (page > 0) out.load(s.key, page, s.pageRoom());
                break;
            }
            handOver(in, s, seq, s.toTransmit(seq), limit);
        }
        if (in.receivedUpTo() > from) {
            s.transmitted(0, (int) (in.receivedUpTo() - s.sentUpTo()), false);
            receivers.serveSoon(in);
        }
    }

    /**
     * Hands message {@code seq} to the receiving half {@code in}: the stored message with its level, flagged as a
     * redelivery if an earlier lifetime stored it, as damaged if the store no longer matched its checksum when it was
     * read, as cancelled if the application withdrew it. Its deadline is checked by the receiving half.
     */
    private static void handOver(InStream in, OutStream s, long seq, OutRing m, long limit) {
        int flags = s.recovered(seq) ? Frame.Message.REDELIVERY : 0;
        if (m.corrupt(seq)) flags |= Frame.Message.CORRUPT;
        else if (s.withdrawals.contains(seq)) flags |= Frame.Message.CANCELLED;
        // No frame between the halves (nothing to verify its checksum against: the ring's flag says it is corrupt),
        // and the level the ring keeps, so the headers are not looked into again. The stored message itself, which the
        // store and the page keep until the receiving half's position trims it, not a copy of its parts.
        in.receive(seq, flags, m.stored(seq), m.level(seq), limit);
    }

    /**
     * The receiving half's cursor {@code processed} is durable (its trim committed, or for a volatile stream it moved):
     * the messages settled without processing get their outcomes, the sending half counts everything up to it
     * acknowledged and trimmed, and more may be handed over.
     */
    void receiverCommitted(InStream in, long processed, List<Batch.Outcome> outcomes) {
        OutStream s = (OutStream) in.loopbackHalf;
        for (int i = 0; i < outcomes.size(); i++) { // indexed: usually empty, an iterator would be an object per batch
            Batch.Outcome o = outcomes.get(i);
            if (s.awaitsOutcome(o.seq())) out.outcome(s.key, o.seq(), Frame.OutcomeNotice.outcomeOf(o.kind()));
        }
        if (s.loopbackAcked(processed)) out.acked(s, s.ackedSeq()); // its stream at hand: no lookup of its room
        if (!s.isVolatile()) {
            s.trimmed(processed);
            trimmed.accept(s);
        }
        due.add(s);
    }

    /** The application withdrew message {@code seq} of {@code s}: one handed over is withdrawn at the receiving half. */
    void cancel(OutStream s, long seq) {
        InStream in = (InStream) s.loopbackHalf;
        if (seq <= in.receivedUpTo()) receivers.onCancel(self, new Frame.Cancel(s.key.lane(), in.senderEpoch(), seq));
    }

    /**
     * An operator purged {@code s} up to {@code upTo}: the receiving half moves past the purged messages as a remote
     * receiver does on the OPEN that follows a purge (a resync), and writes the trim.
     */
    void purged(OutStream s, long upTo) {
        InStream in = (InStream) s.loopbackHalf;
        receivers.onOpen(self, new Frame.Open(s.key.lane(), in.senderEpoch(), upTo, s.committedSeq()));
        due.add(s);
    }
}
