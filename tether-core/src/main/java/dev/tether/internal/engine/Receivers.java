package dev.tether.internal.engine;

import dev.tether.Channels;
import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.Priority;
import dev.tether.TetherEvent;
import dev.tether.internal.util.WeightedLevels;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The receiving side: this node's inbound streams, from a DATA frame to the durable cursor and the ACK that
 * reports it (docs/PROTOCOL.md, "Receiver state machine"). Inputs mark streams to serve; {@link #serveDue} then
 * expires, delivers and acknowledges. Not thread-safe: the engine's thread only.
 */
final class Receivers {
    /** Why a message damaged in its sender's store is dead-lettered. */
    static final String CORRUPT = UnprocessedSettlements.CORRUPT;

    private final EngineConfig cfg;
    private final EngineOutput out;
    private final FrameWriter frames;
    private final PeerTable peers;
    private final Statistics stats;
    private final LoopbackLinks loopback;

    private final Map<StreamKey, InStream> streams = new LinkedHashMap<>();
    /** The same streams by peer and lane, for DATA frames. */
    private final LaneIndex<InStream> byLane = new LaneIndex<>();
    /** How many streams come from a peer, what they buffer, their counters. */
    final InboundQueries queries = new InboundQueries(streams);
    /** Streams to deliver on or acknowledge at the end of the turn. */
    private final StreamSet<InStream> toServe = new StreamSet<>(1);
    /** The streams of {@link #toServe} in the order they are served, by level ({@link StreamLevels}). */
    private final WeightedLevels<InStream> byLevel = new WeightedLevels<>(s -> s.levels.queued);
    /** Streams whose cursor moved and is not stored yet. */
    private final StreamSet<InStream> cursorDirty = new StreamSet<>(2);
    /**
     * Streams that received DATA whose ACK waits for the ACK of the next cursor commit, or for the next tick: one ACK
     * instead of two per stream and batch when many streams carry a few messages each (docs/PROTOCOL.md, "ACK").
     */
    private final StreamSet<InStream> receiptAcks = new StreamSet<>(8);
    /** Per stream, outcomes to report and effects to append once the cursor is stored. */
    private final PendingSettlements pending = new PendingSettlements();
    /**
     * Streams whose cursor waits, at its last stored position, with the effects of its settlements (replies, copies,
     * keys) while the store refuses them ({@link StoreBatches#failed}): the other streams' cursors still commit.
     */
    private final Set<InStream> held = new LinkedHashSet<>();

    private final DeadLetterQueue deadLetters;
    /** Settles next messages without processing them. */
    private final UnprocessedSettlements unprocessed;
    /** Messages completed ahead of their stream's cursor by concurrent consumers. */
    final AheadMarks ahead = new AheadMarks(streams::get);

    private HistoryRecorder history;
    /** Streams backing off after a failure, by when their retry is due: a tick looks at no other stream. */
    private final TimerQueue<InStream> retryTimers = new TimerQueue<>();

    /**
     * The mark of a volatile stream whose cursor moved ({@link InStream#marks}, beside the sets' bits): never stored,
     * so it counts as durable once the stream is served.
     */
    private static final int VOLATILE_DIRTY = 4;
    /** Effects of settled volatile messages, for the senders to send at the end of the turn. */
    private final List<Effect> volatileEffects = new ArrayList<>();

    Receivers(
            EngineConfig cfg,
            EngineOutput out,
            FrameWriter frames,
            PeerTable peers,
            Statistics stats,
            LoopbackLinks loopback,
            DeadLetterQueue deadLetters,
            List<InboundCursor> stored) {
        this.cfg = cfg;
        this.out = out;
        this.frames = frames;
        this.peers = peers;
        this.stats = stats;
        this.loopback = loopback;
        this.deadLetters = deadLetters;
        this.unprocessed = new UnprocessedSettlements(out, deadLetters, pending, ahead, this::markDirty);
        for (InboundCursor c : stored) {
            StreamKey k = new StreamKey(c.from(), c.lane());
            if (!loopback.isLoopback(k)) add(new InStream(k, c.senderEpoch(), c.processedSeq()));
        }
    }

    /** Streams record their settled messages in {@code h} ({@link HistoryRecorder}), also those added later. */
    void history(HistoryRecorder h) {
        history = h;
        streams.values().forEach(s -> s.history = h);
    }

    /** Adds the receiving half of a loopback stream ({@link LoopbackLinks}); messages reach it without frames. */
    void adopt(InStream s) {
        s.history = history;
        add(s);
        ahead.opened(s);
    }

    private void add(InStream s) {
        streams.put(s.key, s);
        byLane.put(s.key, s);
    }

    /** Messages were handed to loopback stream {@code s}: it is served at the end of the turn. */
    void serveSoon(InStream s) {
        toServe.add(s);
    }

    // ---- the sender's frames -------------------------------------------------------------------------

    /** The sender states its stream; answer with our cursor. */
    void onOpen(NodeId from, Frame.Open o) {
        StreamKey key = new StreamKey(from, o.lane());
        InStream s = streams.get(key);
        if (s == null) {
            s = new InStream(key, o.senderEpoch(), o.ackedSeq());
            s.history = history;
            add(s);
            ahead.opened(s);
            markDirty(s);
            // A channel reader's stream starts where the publisher put its reader row: nothing was skipped for it.
            if (o.ackedSeq() > 0 && !Channels.isChannelLane(o.lane())) {
                resync(s, "no cursor for this stream; sender reports it taken care of", o.ackedSeq());
            }
        } else if (s.senderEpoch() != o.senderEpoch()) {
            List<Effect> passed = ahead.jumped(s, o.senderEpoch(), o.ackedSeq());
            s.restart(o.senderEpoch(), o.ackedSeq());
            markDirty(s);
            pending.forget(s); // replies to the earlier incarnation's calls, whose cursor is never written now
            withEffects(s, passed); // the marks of the earlier incarnation's messages are deleted with the new cursor
            resync(s, "sender is a new incarnation", o.ackedSeq());
        } else if (o.ackedSeq() > s.processed()) {
            withEffects(s, ahead.jumped(s, o.senderEpoch(), o.ackedSeq()));
            s.restart(o.senderEpoch(), o.ackedSeq());
            markDirty(s);
            // A channel reader that joins again starts at the publisher's new reader row, after what it missed
            // while it was no reader: not a loss of the stream's messages.
            if (!Channels.isChannelLane(o.lane())) {
                resync(s, "sender reports messages taken care of beyond this cursor", o.ackedSeq());
            }
        }
        // Only committed messages are transmitted, so nothing above lastSeq reached an earlier lifetime of ours: this
        // OPEN came on a connection to this process (Transport rule 4), so it was sent after that lifetime ended.
        s.freshFrom(o.lastSeq() + 1);
        // An OPEN whose lastSeq is below our cursor does not prove that the sender's store went backwards: the
        // transport may reorder and delay frames, even across connections, so it may be a stale one. Answer it:
        // a sender whose store did go backwards detects that from this answer (onAck) and does not open.
        s.ackDue();
        toServe.add(s);
    }

    /** The cursor of {@code s} moved: stored with the next batch, or for a volatile stream taken as durable now. */
    private void markDirty(InStream s) {
        List<Effect> passed = ahead.passed(s); // the marks of messages completed ahead the cursor passed now
        if (!passed.isEmpty()) pending.effects(s, passed);
        if (s.key.isVolatile()) {
            s.marks(s.marks() | VOLATILE_DIRTY);
            toServe.add(s);
        } else {
            cursorDirty.add(s);
        }
    }

    private void resync(InStream s, String reason, long cursor) {
        out.event(new TetherEvent.Resync(s.key.peer(), s.key.lane(), reason, cursor));
    }

    /** Accept the next consecutive messages within credit; drop duplicates; ask for gaps. */
    void onData(long now, NodeId from, Frame.Data d) {
        InStream s = byLane.get(from, d.lane());
        if (s == null || s.senderEpoch() != d.senderEpoch()) { // Before OPEN or stale: the sender resends.
            stats.frameIgnored();
            return;
        }
        // With one message per frame (many streams, a few messages each) this is each message's only checksum.
        int verified = s.noteFirstTransmission(d);
        long seq = d.firstSeq();
        long credit = s.credit(cfg.window());
        boolean inOrder = true;
        List<Frame.Message> messages = d.messages();
        for (int i = 0; i < messages.size(); i++) {
            Frame.Message m = messages.get(i);
            if (i != verified && !m.intact(d.lane(), seq)) {
                damagedInTransit(now, s, from, seq);
                break;
            }
            InStream.Arrival a = s.receive(seq, m, credit);
            if (a == InStream.Arrival.BUFFERED && StreamLevels.invalid(m.headers())) invalidLevel(now, s, seq);
            // The sender withdrew a message it had sent, after its timer went back below it: no CANCEL followed.
            if (a == InStream.Arrival.DUPLICATE && m.has(Frame.Message.CANCELLED)) withdraw(s, seq);
            if (a == InStream.Arrival.GAP) askResend(now, s, from);
            if (a != InStream.Arrival.BUFFERED) inOrder = false; // a repeat or a gap: the sender must hear at once
            if (a == InStream.Arrival.GAP || a == InStream.Arrival.BEYOND_CREDIT) break;
            seq++;
        }
        if (inOrder && s.receiptAckMayWait(cfg.window())) receiptAcks.add(s);
        else s.ackDue();
        toServe.add(s);
        if (s.levels.level() > Priority.DEFAULT) out.urgent(s.levels.level()); // delivered at the end of this turn
    }

    /**
     * Message {@code seq} does not match its checksum: changed on the way (the sender verified what it read from its
     * store). It and the rest of the frame are dropped, counted and reported; a new one is asked for like a gap,
     * so a damaged transmission heals with the next one.
     */
    private void damagedInTransit(long now, InStream s, NodeId from, long seq) {
        stats.checksumMismatch(
                now,
                new TetherEvent.ChecksumMismatch(
                        from,
                        s.key.lane(),
                        seq,
                        TetherEvent.ChecksumMismatch.Where.TRANSIT,
                        "received message does not match its checksum; dropped and asked for again"));
        if (seq > s.receivedUpTo()) askResend(now, s, from);
    }

    private void askResend(long now, InStream s, NodeId from) {
        long fromSeq = s.resendToAsk(now, cfg.retransmitMillis());
        if (fromSeq > 0) frames.resend(from, s.key.lane(), s.senderEpoch(), fromSeq);
    }

    /** A new connection to {@code peer}: gaps may be reported again at once. */
    void peerUp(NodeId peer) {
        for (InStream s : streams.values()) {
            if (s.key.peer().equals(peer)) s.connected();
        }
    }

    // ---- the application -----------------------------------------------------------------------------

    /** The application settled a run handed out by {@code deliver}, as {@code x} says ({@link Settlement}). */
    void onSettled(long now, Settlement x, InboundRef at) {
        InStream s = runEnded(stream(x.key(), at), x.generation(), x.ackedUpTo(), x.failedSeq(), x.effects());
        if (s != null && x.failedSeq() > 0 && x.failedSeq() == s.processed() + 1) {
            InMessage m = s.buffered(x.failedSeq());
            if (failed(now, s, m, x.reason(), x.retryAfterMillis())) withEffects(s, x.ifDeadLettered());
        }
    }

    /**
     * The run ended before message {@code expiredSeq}, whose time to live had run out when it was about to be
     * handed to the application: every message up to {@code ackedUpTo} is processed, {@code expiredSeq} was not
     * handed out and is settled as expired, and so were none after it.
     */
    void onExpiredInRun(StreamKey key, long generation, long ackedUpTo, long expiredSeq, List<Effect> effects) {
        InStream s = runEnded(streams.get(key), generation, ackedUpTo, 0, effects);
        InMessage m = s != null && expiredSeq == s.processed() + 1 ? s.buffered(expiredSeq) : null;
        if (m != null && m.expiresAtMillis() != 0) unprocessed.expire(s, m);
    }

    /**
     * The run ended at message {@code seq}, which a pattern layer settled without processing it ({@code
     * NO_SUCH_HANDLER}: a call of a handler this node does not have): every message up to {@code ackedUpTo} is
     * processed, {@code seq} was handed out and is settled, and its sender told after the commit; none after it was
     * handed out.
     */
    void onNotTaken(StreamKey key, long generation, long ackedUpTo, long seq, int outcome, List<Effect> effects) {
        InStream s = runEnded(streams.get(key), generation, ackedUpTo, seq, effects);
        if (s != null && seq == s.processed() + 1 && s.buffered(seq) != null) {
            s.notTakenNext(seq, outcome);
            unprocessed.settledWithout(s, seq, outcome);
        }
    }

    /**
     * The run ended at message {@code seq}, which a pattern layer (a routing rule) dead-lettered without processing it
     * and without retries, whatever the failure policy: every message up to {@code ackedUpTo} is processed, {@code
     * seq} goes to the dead-letter queue with {@code reason} and {@code withIt} with its dead letter (none if a full
     * queue refuses it), and none after it was handed out.
     */
    void onDeadLetterInRun(
            long now,
            StreamKey key,
            long generation,
            long ackedUpTo,
            long seq,
            String reason,
            List<Effect> effects,
            List<Effect> withIt) {
        InStream s = runEnded(streams.get(key), generation, ackedUpTo, seq, effects);
        if (s != null && seq == s.processed() + 1 && s.buffered(seq) != null) {
            if (unprocessed.deadLetter(now, s, s.buffered(seq), reason)) withEffects(s, withIt);
        }
    }

    /**
     * The sender withdrew message {@code c.seq()}: one not handed out yet is settled as cancelled when it is next
     * (never handed out); for one handed out, the application is told ({@link EngineOutput#cancelRequested}).
     * Returns what the CANCEL found; a CANCEL of another incarnation or before the stream's OPEN is {@code TOO_LATE}.
     */
    InStream.Withdrawal onCancel(NodeId from, Frame.Cancel c) {
        InStream s = streams.get(new StreamKey(from, c.lane()));
        if (s == null || s.senderEpoch() != c.senderEpoch()) { // see PROTOCOL.md
            stats.frameIgnored();
            return InStream.Withdrawal.TOO_LATE;
        }
        return withdraw(s, c.seq());
    }

    /**
     * Message {@code seq} of {@code s} (from its current incarnation) is withdrawn: by a CANCEL, or by a CANCELLED
     * marker repeating a message received already (docs/PROTOCOL.md, "Withdrawal").
     */
    private InStream.Withdrawal withdraw(InStream s, long seq) {
        if (ahead.has(s, seq)) return InStream.Withdrawal.TOO_LATE; // it ran: settled as processed when next
        InStream.Withdrawal w = s.cancel(seq);
        if (w == InStream.Withdrawal.MARKED) toServe.add(s);
        else if (w == InStream.Withdrawal.HANDED_OUT) out.cancelRequested(s.key, s.senderEpoch(), seq);
        return w;
    }

    /** The stream of {@code key}: {@code at}, a run's (a stream stays its key's: {@link #add}), else looked up. */
    private InStream stream(StreamKey key, InboundRef at) {
        return at instanceof InStream s ? s : streams.get(key);
    }

    /** The run out of {@code s} (null: none) ended; the stream if its results count (it did not restart meanwhile). */
    private InStream runEnded(InStream s, long generation, long ackedUpTo, long failedSeq, List<Effect> effects) {
        if (s == null || !s.runOutFrom(generation)) return null;
        toServe.add(s);
        // Restarted: the old run's results are void, and so are its effects (its acknowledgments are never stored).
        if (!s.runEnded(generation, ackedUpTo, failedSeq)) return null;
        if (s.settleRun(ackedUpTo)) markDirty(s);
        withEffects(s, effects);
        return s;
    }

    /** {@code effects} go into the batch that writes the cursor of {@code s}, never into an earlier or later one. */
    private void withEffects(InStream s, List<Effect> effects) {
        if (effects.isEmpty()) return;
        pending.effects(s, effects);
        markDirty(s);
    }

    /** Messages of a run still out acknowledged up to {@code ackedUpTo}: the cursor advances, the run goes on. */
    void onProgress(StreamKey key, InboundRef at, long generation, long ackedUpTo, List<Effect> effects) {
        InStream s = stream(key, at);
        if (s != null && s.runOutFrom(generation) && generation == s.generation() && s.acknowledge(ackedUpTo)) {
            markDirty(s);
            withEffects(s, effects);
        }
    }

    /** The next message {@code m} failed: retried later, blocking the stream, or dead-lettered (then true). */
    private boolean failed(long now, InStream s, InMessage m, String reason, long retryAfterMillis) {
        if (m == null) return false;
        if (m.attempts() < cfg.retryPolicy().maxAttempts()) {
            long pause =
                    retryAfterMillis >= 0 ? retryAfterMillis : cfg.retryPolicy().backoffMillis(m.attempts());
            s.backOff(now + pause);
            retryTimers.arm(s, s.retryAt());
            return false;
        }
        if (cfg.failurePolicy() == FailurePolicy.BLOCK) {
            s.block();
            out.event(new TetherEvent.StreamBlocked(s.key.peer(), s.key.lane(), m.seq, m.attempts(), reason));
            return false;
        }
        return unprocessed.deadLetter(now, s, m, reason);
    }

    // ---- time ----------------------------------------------------------------------------------------

    /**
     * Ticks the dead-letter queue; serves the streams whose retry backoff ended. Each is queued again while it backs
     * off (one served now hands its run out at the end of this turn, and is not backing off when its entry comes up on
     * the next tick).
     */
    void tick(long now) {
        deadLetters.tick(now); // the age sweep, and its events
        for (InStream s : receiptAcks.drain()) {
            if (s.receiptUnacked()) {
                s.ackDue(); // no commit came since: the sender hears of it now, well before it would retransmit
                toServe.add(s);
            }
        }
        for (InStream s : retryTimers.takeDue(now)) {
            if (s.retryDue(now)) toServe.add(s);
            retryTimers.arm(s, s.retryAt());
        }
    }

    int timersQueued() {
        return retryTimers.size();
    }

    // ---- the end of the turn -------------------------------------------------------------------------

    /** Expires, delivers and acknowledges on every stream an input marked; higher levels first, weighted. */
    void serveDue(long now) {
        while (!toServe.isEmpty()) {
            for (InStream s : toServe.drain()) byLevel.add(s, s.levels.level());
            for (InStream s = byLevel.next(); s != null; s = byLevel.next()) serve(now, s);
        }
    }

    /** A {@code :p} that is not one digit 0-7 from the peer: a protocol error, and the message is of level 4. */
    private void invalidLevel(long now, InStream s, long seq) {
        stats.protocolError(
                now,
                s.key.peer(),
                "message " + seq + " on " + s.key.lane() + " has an invalid priority header"
                        + " (':p' must be one digit 0-7); delivered at the default level 4");
    }

    private void serve(long now, InStream s) {
        if (s.canDeliver(now)) {
            deliverRun(now, s);
        } else if (s.wantsMore && s.moreThanRun()) {
            s.wantsMore = false;
            out.runCanGrow(s.key, s.generation());
        }
        if ((s.marks() & VOLATILE_DIRTY) != 0) {
            s.marks(s.marks() & ~VOLATILE_DIRTY);
            settleVolatile(s);
        }
        if (s.takeAckDue() && peers.connected(s.key.peer())) {
            long credit = s.credit(cfg.window());
            frames.ack(s.key.peer(), s.key.lane(), s.senderEpoch(), s.receivedUpTo(), s.durable(), credit);
            s.acked(s.receivedUpTo(), credit);
        }
    }

    /**
     * The application of the run out of {@code key} in {@code generation} handed its messages up to {@code
     * handedUpTo} to consumers ({@link InStream#handedOut}: a concurrent consumer's, which stay flagged as handed when
     * the run ends) and takes up to {@code max} more: the buffered messages after the run join it and are returned,
     * stopping before one that is damaged, withdrawn, expired or flagged (those start the next run, as in {@link
     * #deliverRun}). If fewer than {@code max} join, the application is told once more arrive ({@link
     * EngineOutput#runCanGrow}).
     */
    List<InboundMessage> extendRun(long now, StreamKey key, long generation, long handedUpTo, int max) {
        InStream s = streams.get(key);
        if (s == null || !s.runOutFrom(generation) || generation != s.generation()) return List.of();
        s.handedOut(handedUpTo);
        List<InboundMessage> more = new ArrayList<>();
        for (long seq = s.runLast() + 1; seq <= s.receivedUpTo() && more.size() < max; seq++) {
            if (ahead.has(s, seq)) break;
            StoredMessage sm = s.attemptStored(seq, now);
            if (sm != null) {
                more.add(firstAttempt(s, seq, sm));
                continue;
            }
            InMessage m = s.buffered(seq);
            if (m == null || m.skipped(now)) break;
            if (s.attempt(m, false) == InStream.Attempt.NEXT_RUN) break;
            more.add(new InboundMessage(
                    seq, m.expiresAtMillis(), m.headers(), m.payload(), false, m.attempts(), s.senderEpoch()));
        }
        if (!more.isEmpty()) s.extendRun(more.get(more.size() - 1).seq());
        s.wantsMore = more.size() < max;
        return more;
    }

    /**
     * Settles heads that are damaged, withdrawn or expired without handing them out, then hands the next run (up to
     * {@code maxRun}) to the application.
     */
    private void deliverRun(long now, InStream s) {
        long head = unprocessed.settleSkippedHeads(now, s);
        if (head == 0) return;
        List<InboundMessage> run = new ArrayList<>((int) Math.min(cfg.maxRun(), s.receivedUpTo() - head + 1));
        for (long seq = head; seq <= s.receivedUpTo() && run.size() < cfg.maxRun(); seq++) {
            if (ahead.has(s, seq)) break; // a message completed ahead is settled as the head
            StoredMessage sm = s.attemptStored(seq, now); // a loopback stream's, handed out a first time
            if (sm != null) {
                run.add(firstAttempt(s, seq, sm));
                continue;
            }
            InMessage m = s.buffered(seq);
            if (m.skipped(now)) break;
            InStream.Attempt a = s.attempt(m, run.isEmpty());
            if (a == InStream.Attempt.NEXT_RUN) break;
            if (a == InStream.Attempt.REDELIVERY) {
                out.event(new TetherEvent.Redelivery(s.key.peer(), s.key.lane(), seq, m.attempts()));
            }
            run.add(new InboundMessage(
                    seq,
                    m.expiresAtMillis(),
                    m.headers(),
                    m.payload(),
                    a == InStream.Attempt.REDELIVERY,
                    m.attempts(),
                    s.senderEpoch()));
        }
        s.handingOut(head + run.size() - 1);
        out.deliver(s, s.generation(), run);
    }

    /** Stored message {@code seq} of {@code s} as the application gets it at its first attempt. */
    private static InboundMessage firstAttempt(InStream s, long seq, StoredMessage sm) {
        return new InboundMessage(seq, sm.expiresAtMillis(), sm.headers(), sm.payload(), false, 1, s.senderEpoch());
    }

    /**
     * A volatile stream's cursor is never stored: it is durable as soon as it moved. Its outcomes go to the sender
     * and its effects to the senders now, as a stored cursor's would after the commit.
     */
    private void settleVolatile(InStream s) {
        s.cursorCommitted(s.senderEpoch(), s.processed());
        List<Batch.Outcome> outcomes = pending.takeOutcomes(s);
        if (loopback.isLoopback(s.key)) {
            loopback.receiverCommitted(s, s.processed(), outcomes);
        } else if (peers.connected(s.key.peer())) {
            for (Batch.Outcome o : outcomes)
                frames.outcome(s.key.peer(), s.key.lane(), s.senderEpoch(), o.seq(), o.kind());
        }
        volatileEffects.addAll(pending.takeEffects(s));
        s.ackDue();
    }

    /** The effects of volatile settlements since the last call, for the senders. */
    List<Effect> takeVolatileEffects() {
        if (volatileEffects.isEmpty()) return List.of();
        List<Effect> l = new ArrayList<>(volatileEffects);
        volatileEffects.clear();
        return l;
    }

    // ---- the store -----------------------------------------------------------------------------------

    boolean hasWrites() {
        return !cursorDirty.isEmpty() || ahead.hasWrites();
    }

    /**
     * Moves the cursors that moved, with the outcomes to report after them, into {@code b} (the dead letters settled
     * with them wait in the {@link DeadLetterQueue}, which the same batch takes); the effects of the settled messages
     * go into {@code b.effects}, for the senders to append in the same batch.
     */
    void writeTo(Batch b, WriteBatch w, boolean holdEffects) {
        for (InStream s : cursorDirty.drain()) {
            if (holdEffects && pending.hasEffects(s)) { // its cursor waits with them: not dirty, so no batch spins
                held.add(s);
                continue;
            }
            // A loopback stream's cursor is its sending half's trim: one row fewer, and one writer of the position.
            if (loopback.isLoopback(s.key)) w.trim(new WriteBatch.Trim(s.key.peer(), s.key.lane(), s.processed()));
            else w.cursor(new InboundCursor(s.key.peer(), s.key.lane(), s.senderEpoch(), s.processed()));
            List<Effect> effects = pending.takeEffects(s);
            b.cursors.add(new Batch.Cursor(s, s.senderEpoch(), s.processed(), pending.takeOutcomes(s), effects));
            b.effects.addAll(effects);
        }
        ahead.writeTo(b, w);
    }

    /** The streams whose cursors {@link #writeTo} held back with their effects are written again with the next batch. */
    void releaseHeld() {
        for (InStream s : held) cursorDirty.add(s);
        held.clear();
    }

    /** Batch {@code b} is durable: its cursors may be acknowledged, and its outcomes reported. */
    void committed(long now, Batch b) {
        for (InStream s : deadLetters.committed(now, b)) toServe.add(s); // REFUSE: room again, resumed
        for (Batch.Cursor c : b.cursors) {
            InStream s = c.stream();
            if (!s.cursorCommitted(c.senderEpoch(), c.processed())) continue;
            if (loopback.isLoopback(s.key)) {
                loopback.receiverCommitted(s, c.processed(), c.outcomes());
            } else if (peers.connected(s.key.peer())) {
                for (Batch.Outcome o : c.outcomes()) {
                    frames.outcome(s.key.peer(), s.key.lane(), s.senderEpoch(), o.seq(), o.kind());
                }
            }
            s.ackDue();
            toServe.add(s);
        }
    }

    /**
     * Batch {@code b} was not stored: its cursors, outcomes, effects and dead letters go in front of what is pending,
     * so its effects are appended again with the cursor that is written again.
     */
    void retryLater(Batch b) {
        for (Batch.Cursor c : b.cursors) {
            cursorDirty.add(c.stream());
            if (c.senderEpoch() == c.stream().senderEpoch()) pending.putBack(c); // else a new incarnation since: void
        }
        deadLetters.retryLater(b);
        ahead.retryLater(b);
    }
}
