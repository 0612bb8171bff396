package dev.tether.internal.engine;

import dev.tether.Priority;
import dev.tether.StreamStats;
import dev.tether.internal.util.SeqRing;
import dev.tether.internal.util.SeqSet;
import dev.tether.spi.StoredMessage;
import java.util.List;

/**
 * Receiver-side state of one stream from one sender incarnation ({@code senderEpoch}); only its own methods
 * change it. Sequence numbers split into: {@code ..durable} settled and committed (the persisted cursor); {@code
 * ..processed} settled (acked, expired or dead-lettered); {@code ..leasedUpTo} handed to the application; {@code
 * ..receivedUpTo} buffered. The buffer holds {@code processed+1..receivedUpTo}, at most a window of messages.
 */
final class InStream extends EngineStream implements InboundRef {
    /** What became of a message of a DATA frame. */
    enum Arrival {
        /** At or below what was received before: dropped. */
        DUPLICATE,
        /** The next one, within credit: buffered. */
        BUFFERED,
        /** After a gap: dropped, the rest of the frame too; a RESEND is due. */
        GAP,
        /** Beyond credit: dropped with the rest of the frame; the sender resends once credit grows. */
        BEYOND_CREDIT
    }

    /** Where settled messages are recorded for the history (set by Receivers; off unless started). */
    HistoryRecorder history;

    // Valid for the session.
    private long senderEpoch;
    private long durable;
    private long processed;
    private long receivedUpTo;
    private long leasedUpTo;
    private long generation;
    private StreamDelivery delivery = StreamDelivery.READY;
    /** The generation the run that is out was handed out in. */
    private long runGeneration;
    /**
     * Highest sequence number of this sender incarnation handed to the application by this process (at least the
     * cursor it started from): everything above it was never handed out in this lifetime. Raised to the end of
     * a run when the run is handed out, lowered to what was really handed when the run reports back.
     */
    private long handedUpTo;
    /** {@link #handedUpTo} before the run that is out, and the run's last sequence number. */
    private long handedBeforeRun;

    private long runLast;
    /** The highest message of the run out its application reported handed out ({@link #handedOut}), or 0. */
    private long reportedHanded;
    /** The application of the run out takes more of the stream ({@code Receivers.extendRun}) once it arrives. */
    boolean wantsMore;
    /**
     * From this sequence number on, no message can have been handed out by an earlier lifetime of this
     * receiver ({@code Long.MAX_VALUE} while not known); below it, the sender's REDELIVERY flag decides. See
     * {@link #mayHaveBeenHanded} and docs/PROTOCOL.md, "Redelivery flag".
     */
    private long freshFrom;
    /** While {@link StreamDelivery#BACKING_OFF}: when the failed message may be handed out again. */
    private long retryAt;

    /**
     * The buffered messages: each an {@link InMessage}, or, for a loopback stream's message handed over without flags
     * at the default level, the sending half's {@link StoredMessage} until more than its first attempt must be known
     * of it ({@link #at}): its stored message is kept by the sending half anyway, so it costs no object of its own
     * while it waits or is handed out once.
     */
    private final SeqRing<Object> buffer = new SeqRing<>();
    /** The attempts of the buffered {@link StoredMessage}s. */
    private final FirstAttempts firstAttempts = new FirstAttempts();
    /** The levels of the buffered messages, and its place in the queue of streams due for delivery. */
    final StreamLevels levels = new StreamLevels();
    /** CANCELs for messages not received yet (the frame overtook the DATA), applied when they arrive; bounded. */
    private final SeqSet cancelledAhead = new SeqSet();

    // Valid for the connection.
    private boolean ackDue;
    /** What the last ACK on this connection said was received, and the credit it gave; 0 before the first. */
    private long ackedReceived;

    private long ackedCredit;
    private long resendAskedFor;
    private long resendAskedAt;

    // Counters.
    private long delivered;
    private long redelivered;
    private long duplicates;
    private long deadLettered;
    private long expired;
    private long missed;
    private long dropped;

    InStream(StreamKey key, long senderEpoch, long cursor) {
        super(key);
        restart(senderEpoch, cursor);
    }

    long senderEpoch() {
        return senderEpoch;
    }

    long processed() {
        return processed;
    }

    long generation() {
        return generation;
    }

    /** Starts over for sender incarnation {@code epoch}, everything up to {@code cursor} taken care of. */
    void restart(long epoch, long cursor) {
        if (history != null) history.forget(this, epoch != senderEpoch ? -1 : cursor);
        if (epoch != senderEpoch) {
            // Other messages under the same numbers. An earlier lifetime may have handed some of them out without
            // committing a cursor for this epoch, so nothing is known to be fresh until the sender shows it.
            handedUpTo = cursor;
            freshFrom = Long.MAX_VALUE;
        }
        senderEpoch = epoch;
        durable = cursor;
        processed = cursor;
        receivedUpTo = cursor;
        leasedUpTo = cursor;
        generation++; // A run still out stays out: no second run starts until it has ended.
        if (delivery != StreamDelivery.RUN_OUT) become(StreamDelivery.READY);
        retryAt = 0;
        buffer.resetTo(cursor + 1);
        firstAttempts.reset(cursor);
        buffer.compact();
        levels.clear();
        cancelledAhead.clear();
    }

    // ---- receiving -----------------------------------------------------------------------------------

    /** Message {@code seq} of a DATA frame arrived; {@code credit} is what the frame may fill (see {@link #credit}). */
    Arrival receive(long seq, Frame.Message m, long credit) {
        Arrival a = arrival(seq, credit);
        if (a == Arrival.BUFFERED) buffer(InMessage.received(seq, m));
        return a;
    }

    /**
     * As {@link #receive(long, Frame.Message, long)}, for message {@code seq} of a loopback stream, handed over as its
     * {@code stored} message with {@link Frame.Message} {@code flags} and priority {@code level}.
     */
    Arrival receive(long seq, int flags, StoredMessage stored, int level, long credit) {
        Arrival a = arrival(seq, credit);
        if (a != Arrival.BUFFERED) return a;
        if (flags != 0 || level != Priority.DEFAULT || cancelledAhead.contains(seq)) {
            buffer(InMessage.handedOver(seq, flags, stored, level));
        } else {
            buffer.add(seq, stored);
            levels.add(level);
            receivedUpTo = seq;
        }
        return a;
    }

    /** Buffered message {@code seq} (a stored one made an {@link InMessage} now, for good), or null. */
    private InMessage at(long seq) {
        Object o = buffer.get(seq);
        if (!(o instanceof StoredMessage sm)) return (InMessage) o;
        InMessage m = InMessage.handedOver(seq, 0, sm, Priority.DEFAULT);
        m.attempts = firstAttempts.of(seq);
        buffer.set(seq, m);
        return m;
    }

    private Arrival arrival(long seq, long credit) {
        if (seq <= receivedUpTo) {
            duplicates++;
            return Arrival.DUPLICATE;
        }
        if (seq == receivedUpTo + 1 && seq <= credit) return Arrival.BUFFERED;
        return seq > receivedUpTo + 1 ? Arrival.GAP : Arrival.BEYOND_CREDIT;
    }

    private void buffer(InMessage in) {
        if (cancelledAhead.remove(in.seq)) in.cancelled = true;
        buffer.add(in.seq, in);
        levels.add(in.level);
        receivedUpTo = in.seq;
    }

    /**
     * A gap was seen: the number to ask the sender for, or -1 if it was asked for less than {@code rtoMillis}
     * ago (one RESEND per retransmission timeout for the same position).
     */
    long resendToAsk(long now, long rtoMillis) {
        long fromSeq = receivedUpTo + 1;
        if (resendAskedFor == fromSeq && now - resendAskedAt < rtoMillis) return -1;
        resendAskedFor = fromSeq;
        resendAskedAt = now;
        return fromSeq;
    }

    /** A new connection: a RESEND may be asked for again at once. */
    void connected() {
        resendAskedFor = 0;
        // What arrived on the earlier connection is not acknowledged unasked on this one (a volatile stream's sender
        // must hear HELLO first); the first DATA here is answered at once.
        ackedReceived = receivedUpTo;
        ackedCredit = 0;
    }

    long receivedUpTo() {
        return receivedUpTo;
    }

    long durable() {
        return durable;
    }

    /** The sender may send up to here: a window beyond what was processed, never less than what it sent. */
    long credit(int window) {
        return Math.max(receivedUpTo, processed + window);
    }

    void ackDue() {
        ackDue = true;
    }

    /** Whether an ACK is due; clears it. */
    boolean takeAckDue() {
        boolean due = ackDue;
        ackDue = false;
        return due;
    }

    /** An ACK saying {@code received} and giving {@code credit} goes to the sender. */
    void acked(long received, long credit) {
        ackedReceived = received;
        ackedCredit = credit;
    }

    /**
     * Whether the ACK of what arrived may wait (for the next cursor commit, or a tick): the sender was told of credit
     * for at least half a window beyond what arrived, so it is not held up meanwhile.
     */
    boolean receiptAckMayWait(int window) {
        return ackedCredit > 0 && ackedCredit - receivedUpTo >= window / 2;
    }

    /** Whether messages arrived since the last ACK said what was received. */
    boolean receiptUnacked() {
        return receivedUpTo > ackedReceived;
    }

    /** The cursor {@code cursor} of epoch {@code epoch} is durable. False if the stream restarted meanwhile. */
    boolean cursorCommitted(long epoch, long cursor) {
        if (epoch != senderEpoch) return false;
        if (cursor > durable) durable = cursor;
        return true;
    }

    // ---- the redelivery flag -------------------------------------------------------------------------

    /**
     * Whether {@code m}, about to be handed out (its {@code attempts} already counted), may have reached the
     * application before, in this lifetime or an earlier one. Never false for a message that did: this lifetime's
     * hand-outs are all at or below {@link #handedUpTo}; an earlier lifetime's can only be below {@link
     * #freshFrom}, and the sender flags every message it transmitted before or recovered from its store.
     */
    private boolean mayHaveBeenHanded(InMessage m) {
        return m.attempts > 1 || m.seq <= handedUpTo || (m.seq < freshFrom && m.has(Frame.Message.REDELIVERY));
    }

    /**
     * Nothing from {@code seq} on can have been handed out by an earlier lifetime: the sender proved on a
     * connection to this process that it had never transmitted any of it before (an unflagged message, or an
     * OPEN whose {@code lastSeq} is {@code seq - 1}).
     */
    void freshFrom(long seq) {
        if (seq < freshFrom) freshFrom = seq;
    }

    // ---- delivery ------------------------------------------------------------------------------------

    StreamDelivery delivery() {
        return delivery;
    }

    /** The one place the delivery state changes; a transition the machine does not have is a bug in the engine. */
    private void become(StreamDelivery next) {
        if (!delivery.mayBecome(next)) {
            throw new IllegalStateException("stream " + key + ": delivery " + delivery + " -> " + next);
        }
        delivery = next;
    }

    /** Whether a run may be handed out now. */
    boolean canDeliver(long now) {
        return delivery == StreamDelivery.READY || (delivery == StreamDelivery.BACKING_OFF && now >= retryAt);
    }

    /** When the backoff in progress ends; {@code Long.MAX_VALUE} if none is. */
    long retryAt() {
        return delivery == StreamDelivery.BACKING_OFF ? retryAt : Long.MAX_VALUE;
    }

    /** Whether a backoff has ended by {@code now} (the stream must be served). */
    boolean retryDue(long now) {
        return delivery == StreamDelivery.BACKING_OFF && now >= retryAt;
    }

    /** The next message to settle, if buffered. */
    InMessage head() {
        return at(processed + 1);
    }

    /** How a message joins a run being built. */
    enum Attempt {
        /** Handed out for the first time, as far as anyone can know. */
        FRESH,
        /** Flagged: it may have reached the application before. */
        REDELIVERY,
        /**
         * Not in this run: flagged, and not its first message. Only a run's first message surely reaches the
         * application (an earlier one may fail), so a flagged one starts the next run: each flag (event, count)
         * then stands for a hand-out.
         */
        NEXT_RUN
    }

    /** Counts an attempt of {@code m}, the next message of a run being built; see {@link Attempt}. */
    Attempt attempt(InMessage m, boolean first) {
        m.attempts++;
        if (!mayHaveBeenHanded(m)) return Attempt.FRESH;
        if (!first) {
            m.attempts--;
            return Attempt.NEXT_RUN;
        }
        redelivered++;
        return Attempt.REDELIVERY;
    }

    /**
     * Message {@code seq}, the next of a run being built, if it joins the run as a first attempt without an {@link
     * InMessage}: still its sending half's stored message, never attempted or handed out here and not expired at {@code
     * now}; its attempt is counted. Else null and nothing counted: {@link #buffered} and {@link #attempt} decide.
     */
    StoredMessage attemptStored(long seq, long now) {
        if (seq <= handedUpTo || !firstAttempts.fresh(seq) || !storedDue(seq, now)) return null;
        firstAttempts.counted(seq);
        return (StoredMessage) buffer.get(seq);
    }

    /** Whether message {@code seq} is buffered as its stored message (no flags, default level) and not expired. */
    boolean storedDue(long seq, long now) {
        return buffer.get(seq) instanceof StoredMessage sm && (sm.expiresAtMillis() == 0 || sm.expiresAtMillis() > now);
    }

    InMessage buffered(long seq) {
        return at(seq);
    }

    /** A run of messages up to {@code last} goes to the application, which may reach any of them. */
    void handingOut(long last) {
        become(StreamDelivery.RUN_OUT);
        runGeneration = generation;
        retryAt = 0;
        leasedUpTo = last;
        handedBeforeRun = handedUpTo;
        runLast = last;
        reportedHanded = 0;
        wantsMore = false;
        if (last > handedUpTo) handedUpTo = last;
    }

    /** The last message of the run out. */
    long runLast() {
        return runLast;
    }

    /** Whether messages are buffered after the run out. */
    boolean moreThanRun() {
        return delivery == StreamDelivery.RUN_OUT && receivedUpTo > runLast;
    }

    /** The run out grows to {@code last}: the application may reach any message up to it. */
    void extendRun(long last) {
        runLast = last;
        leasedUpTo = last;
        if (last > handedUpTo) handedUpTo = last;
    }

    /**
     * The application of the run out handed messages up to {@code upTo} to its consumers, beyond the ones it will
     * report acknowledged or failed (a concurrent consumer's): they stay flagged as handed when the run ends.
     */
    void handedOut(long upTo) {
        reportedHanded = Math.max(reportedHanded, Math.min(upTo, runLast));
    }

    /** Whether a report quoting {@code gen} belongs to the run that is out. */
    boolean runOutFrom(long gen) {
        return delivery == StreamDelivery.RUN_OUT && runGeneration == gen;
    }

    /**
     * The run out reported, in generation {@code gen}: the application was handed messages up to {@code
     * ackedUpTo}, plus {@code failedSeq} if that failed, and none after them; those after them were not attempted
     * either. False if the stream restarted since the run was handed out: its results are void. Then {@link
     * #settleRun}.
     */
    boolean runEnded(long gen, long ackedUpTo, long failedSeq) {
        become(StreamDelivery.READY);
        if (gen != generation) return false;
        long handed = Math.min(runLast, Math.max(Math.max(ackedUpTo, failedSeq), reportedHanded));
        for (long seq = Math.max(handed, processed) + 1; seq <= runLast; seq++) {
            // A message after the last one handed was not attempted: it is not in the run.
            if (buffer.get(seq) instanceof InMessage m) m.attempts--;
        }
        firstAttempts.runEnded(Math.max(handed, processed));
        handedUpTo = Math.max(handedBeforeRun, handed);
        return true;
    }

    /** After {@link #runEnded}: everything up to {@code ackedUpTo} is processed, the lease ends; true if the cursor moved. */
    boolean settleRun(long ackedUpTo) {
        boolean moved = acknowledge(ackedUpTo);
        leasedUpTo = processed;
        return moved;
    }

    /** The application processed everything up to {@code ackedUpTo}; true if the cursor moved. */
    boolean acknowledge(long ackedUpTo) {
        long upTo = Math.min(ackedUpTo, leasedUpTo);
        if (upTo <= processed) return false;
        delivered += upTo - processed;
        settleUpTo(upTo, 0);
        return true;
    }

    /** The next message failed with attempts left: it may be handed out again at {@code at}. */
    void backOff(long at) {
        become(StreamDelivery.BACKING_OFF);
        retryAt = at;
    }

    /** The next message failed for the last time and the policy is BLOCK: the stream stops there. */
    void block() {
        become(StreamDelivery.BLOCKED);
    }

    /** Whether the stream stopped at its next message ({@link #block}). */
    boolean blocked() {
        return delivery == StreamDelivery.BLOCKED;
    }

    /** The dead-letter queue that refused the next message has room: it is handed out once more. */
    void unblock() {
        if (delivery == StreamDelivery.BLOCKED) become(StreamDelivery.READY);
    }

    /** The next message {@code seq} expired before it was handed out: settled without processing. */
    void expiredNext(long seq) {
        expired++;
        settleWithout(seq, Frame.OutcomeNotice.EXPIRED);
    }

    /**
     * An unflagged message of {@code d} is a first transmission: the sender sends in sequence order and its store had
     * never committed any later number before, so no later message was transmitted before this frame, which came on a
     * connection to this process (Transport rule 4). None of them can have reached an earlier lifetime. Returns the
     * index of the message found intact (its checksum is not computed again), or -1.
     */
    int noteFirstTransmission(Frame.Data d) {
        List<Frame.Message> messages = d.messages();
        for (int i = 0; i < messages.size(); i++) {
            Frame.Message m = messages.get(i);
            if (!m.has(Frame.Message.REDELIVERY)) {
                // The flag is covered by the checksum: a damaged copy proves nothing.
                if (!m.intact(d.lane(), d.firstSeq() + i)) return -1;
                freshFrom(d.firstSeq() + i);
                return i;
            }
        }
        return -1;
    }

    /** The next message {@code seq} was completed ahead by a concurrent consumer ({@link AheadMarks}): processed. */
    void completedAheadNext(long seq) {
        delivered++;
        settleWithout(seq, 0);
    }

    /** The next message {@code seq} is a DROPPED marker: missed, settled without processing. */
    void missedNext(long seq) {
        missed++;
        settleWithout(seq, Frame.OutcomeNotice.DROPPED);
    }

    /** The next message {@code seq} was settled without processing, as OUTCOME {@code outcome}: nobody here takes it. */
    void notTakenNext(long seq, int outcome) {
        settleWithout(seq, outcome);
    }

    /** The next message {@code seq} failed for the last time and went to the dead-letter queue. */
    void deadLetteredNext(long seq) {
        deadLettered++;
        settleWithout(seq, Frame.OutcomeNotice.DEAD_LETTERED);
    }

    private void settleWithout(long seq, int outcome) {
        settleUpTo(seq, outcome);
        if (delivery == StreamDelivery.BACKING_OFF) become(StreamDelivery.READY);
        retryAt = 0;
    }

    /** Everything up to {@code seq} is settled, as OUTCOME {@code outcome} (0: processed); drop it from the buffer. */
    private void settleUpTo(long seq, int outcome) {
        if (history != null && history.on()) {
            for (long q = processed + 1; q <= seq; q++) history.settled(this, at(q), outcome);
        }
        for (long n = processed + 1; n <= seq; n++) {
            Object m = buffer.get(n);
            if (m != null) levels.remove(m instanceof InMessage in ? in.level : Priority.DEFAULT);
        }
        processed = seq;
        buffer.removeUpTo(seq);
        buffer.compact(); // emptied: an idle stream lets go of what a burst grew (as OutStream's ring does)
        if (leasedUpTo < seq) leasedUpTo = seq;
        if (receivedUpTo < seq) receivedUpTo = seq;
    }

    /** What a CANCEL of one message found. */
    enum Withdrawal {
        /** Settled already, or from another incarnation or before the stream's OPEN (retransmitted as a marker). */
        TOO_LATE,
        /** Buffered and not handed out: it is settled as cancelled when it is next. */
        MARKED,
        /** Not received yet: marked when it arrives. */
        AHEAD,
        /** Not received yet, and {@link #MAX_CANCELLED_AHEAD} such CANCELs kept already: the withdrawal may be lost. */
        DROPPED,
        /** In the run handed to the application: only the application can still skip or stop it. */
        HANDED_OUT
    }

    /** Most CANCELs kept for messages not received yet; more are dropped and reported (the sender sends them again). */
    static final int MAX_CANCELLED_AHEAD = 1024;

    /** Its sender withdrew message {@code seq}. */
    Withdrawal cancel(long seq) {
        if (seq <= processed) return Withdrawal.TOO_LATE;
        // a run of an earlier incarnation still out covers other messages under the same numbers
        if (runOutFrom(generation) && seq <= runLast) return Withdrawal.HANDED_OUT;
        InMessage m = at(seq);
        if (m != null) {
            m.cancelled = true;
            return Withdrawal.MARKED;
        }
        if (seq <= receivedUpTo) return Withdrawal.TOO_LATE;
        if (cancelledAhead.size() >= MAX_CANCELLED_AHEAD && !cancelledAhead.contains(seq)) return Withdrawal.DROPPED;
        cancelledAhead.add(seq);
        return Withdrawal.AHEAD;
    }

    /** The next message {@code seq} was withdrawn by its sender before it was handed out: settled unprocessed. */
    void cancelledNext(long seq) {
        settleWithout(seq, Frame.OutcomeNotice.CANCELLED);
    }

    /** The next message {@code seq} is a DROPPED marker its sender's overflow policy sent: settled, counted. */
    void droppedNext(long seq) {
        dropped++;
        settleWithout(seq, Frame.OutcomeNotice.DROPPED);
    }

    int buffered() {
        return buffer.size();
    }

    // ---- statistics ----------------------------------------------------------------------------------

    StreamStats stats() {
        return StreamStatsBuilder.inbound(key)
                .cursor(processed)
                .lastSeq(receivedUpTo)
                .inFlight(receivedUpTo - processed)
                .delivered(delivered)
                .redelivered(redelivered)
                .duplicatesDropped(duplicates)
                .deadLettered(deadLettered)
                .expired(expired)
                .missed(missed)
                .dropped(dropped)
                .blocked(delivery == StreamDelivery.BLOCKED)
                .build();
    }
}
