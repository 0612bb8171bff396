package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.Priority;
import dev.tether.QueueFullException;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.VolatileQueueFullException;
import dev.tether.internal.util.WeightedLevels;
import dev.tether.spi.OutboundState;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sending side: this node's outbound streams, from a send waiting for its batch to the trim of the
 * acknowledged messages (docs/PROTOCOL.md, "Sender state machine"). Inputs mark streams to pump; {@link #pumpDue}
 * then opens them and transmits what credit allows. Not thread-safe: the engine's thread only.
 */
final class Senders {
    /** The token of an {@link Effect}'s append, which has no receipt; no send may use it ({@link Engine#send}). */
    static final long EFFECT = Long.MIN_VALUE;
    /** Sends a stream appends to a batch in one turn of the queue waiting for batches (docs/BUS-DESIGN.md, 3). */
    static final int QUANTUM = 64;

    private final EngineConfig cfg;

    private final VolatileBudget budget;
    /** What the outbound streams' in-memory pages hold beyond their floors, together. */
    private final PageBounds.Budget pages;

    private final EngineOutput out;
    private final FrameWriter frames;
    private final PeerTable peers;
    private final Statistics stats;
    private final Transmitter transmitter;
    private final LoopbackLinks loopback;

    private final Map<StreamKey, OutStream> streams = new LinkedHashMap<>();
    /** The same streams by peer and lane, for ACK entries. */
    private final LaneIndex<OutStream> byLane = new LaneIndex<>();
    /** What the runtime and management ask of single streams ({@link Engine#outbound}). */
    final OutboundQueries queries = new OutboundQueries(streams);
    /** Streams to open or transmit on at the end of the turn. */
    private final StreamSet<OutStream> toPump = new StreamSet<>(1);
    /** Streams with sends waiting for a batch, by level ({@link StreamLevels}): they take turns of {@link #QUANTUM}. */
    private final WeightedLevels<OutStream> withPendingSends = new WeightedLevels<>(s -> s.levels.queued);
    /** Streams to transmit on this turn, by level: they take turns of one DATA frame. */
    private final WeightedLevels<OutStream> toTransmit = new WeightedLevels<>(s -> s.levels.wire);
    /** Sends waiting for a batch, over all streams. */
    private long pendingSends;
    /** Volatile streams with sends waiting to be numbered at the end of the turn (they need no store). */
    private final StreamSet<OutStream> volatilePending = new StreamSet<>(8);
    /** Streams whose store holds messages already settled. */
    private final StreamSet<OutStream> trimDirty = new StreamSet<>(4);
    /** DROP_OLDEST: drops, and the stored record of dropped messages whose rows are still stored. */
    final SenderDrops drops;
    /** Withdrawals (cancelled calls), and the stored marks of those of stored streams. */
    final SenderWithdrawals withdrawals;
    /** The streams' retransmission and outbox read retry timers ({@link OutStream#armTimer}). */
    private final TimerQueue<OutStream> timers = new TimerQueue<>();
    /** Expiry here: the streams by the earliest deadline of a message that may expire at the sender. */
    private final SenderDeadlines deadlines;
    /** The appends of the last batch committed, emptied: their arrays, for the next batch ({@link BatchAppends#reuse}). */
    private BatchAppends spareAppends = new BatchAppends();
    /** Finishes the checksums the senders' threads computed, when a send is numbered. */
    private final SeqChecksums checksums = new SeqChecksums();

    Senders(
            EngineConfig cfg,
            long epoch,
            long bootId,
            long maxVolatileBytes,
            EngineOutput out,
            FrameWriter frames,
            PeerTable peers,
            Statistics stats,
            LoopbackLinks loopback,
            List<OutboundState> stored) {
        this.cfg = cfg;
        this.budget = new VolatileBudget(maxVolatileBytes);
        this.pages = new PageBounds.Budget(cfg);
        this.out = out;
        this.deadlines = new SenderDeadlines(out, trimDirty);
        this.drops = new SenderDrops(streams, out, trimDirty, () -> pendingSends--, this::wake);
        this.frames = frames;
        this.peers = peers;
        this.stats = stats;
        this.transmitter = new Transmitter(epoch, bootId, out, frames, peers, stats);
        this.loopback = loopback;
        this.withdrawals = new SenderWithdrawals(cfg, streams, frames, peers, transmitter, loopback, this::wake);
        loopback.onTrimmed(withdrawals::settled);
        for (OutboundState s : stored) {
            StreamKey k = new StreamKey(s.to(), s.lane());
            OutStream o = new OutStream(k, s.lastSeq(), s.ackedSeq(), pages.page(), timers);
            streams.put(k, o);
            byLane.put(k, o);
            if (loopback.isLoopback(k)) loopback.pair(o);
        }
    }

    // ---- the application -----------------------------------------------------------------------------

    /** Queues a send for the next batch, unless stream {@code s} already holds {@code maxQueuedPerStream} messages. */
    void send(
            long token,
            OutStream s,
            Map<String, String> headers,
            byte[] payload,
            long expiresAt,
            int headersBytes,
            long withoutSeq) {
        if (s.unacked() >= cfg.maxQueuedPerStream()) {
            out.rejected(
                    token,
                    new QueueFullException("stream " + s.key + " holds " + s.unacked()
                            + " unacknowledged messages (maxQueuedPerStream " + cfg.maxQueuedPerStream() + ")"));
            return;
        }
        PendingSend p = new PendingSend(token, headers, payload, expiresAt, headersBytes, withoutSeq);
        if (s.isVolatile()) {
            long size = p.size();
            if (!budget.fits(size)) {
                out.rejected(
                        token,
                        new VolatileQueueFullException("volatile messages hold " + budget.used() + " bytes; "
                                + size + " more would exceed maxVolatileBytes " + budget.limit
                                + " (stream " + s.key + ")"));
                return;
            }
            queueVolatile(s, p);
            return;
        }
        s.queue(p);
        pendingSends++;
        withPendingSends.add(s, s.levels.level()); // a higher send raises the stream, to the tail of its ring
    }

    private void queueVolatile(OutStream s, PendingSend p) {
        s.queue(p);
        volatilePending.add(s);
    }

    /** Volatile sends need no store: at the end of the turn they are numbered, accepted and transmitted at once. */
    void commitVolatile(long now) {
        if (volatilePending.isEmpty()) return;
        for (OutStream s : volatilePending.drain()) {
            for (PendingSend p = s.nextPending(); p != null; p = s.nextPending()) {
                StoredMessage m = s.number(p, now, checksums);
                s.committed(m, p.size(), p.level());
                if (p.token() != EFFECT) out.accepted(p.token(), s.key, m.seq());
            }
            deadlines.schedule(s);
            wake(s);
        }
    }

    /** {@code s} has something new to transmit: a loopback stream hands it over, any other is pumped. */
    private void wake(OutStream s) {
        if (s.isLoopback()) loopback.wake(s);
        else toPump.add(s);
    }

    /**
     * The effects of settled volatile messages (replies to volatile calls), on volatile lanes: sent like any volatile
     * send, never refused for the memory limit (their settlement cannot wait), counted in it all the same.
     */
    void volatileEffects(List<Effect> effects) {
        for (Effect e : effects) {
            if (e.isKeyWrite()) continue; // Receivers refuses them on volatile streams
            String refusal = peers.refuseSend(e.to());
            if (refusal != null) {
                out.event(new TetherEvent.ApplicationError(
                        "message to " + e.to() + " on " + e.lane(), "not sent: " + refusal));
                continue;
            }
            OutStream s = stream(new StreamKey(e.to(), e.lane()));
            queueVolatile(s, new PendingSend(EFFECT, e.headers(), e.payload(), e.expiresAt()));
        }
    }

    private long epochOf(OutStream s) {
        return transmitter.epochOf(s);
    }

    /** Adds reader stream {@code r} of a shared log, if it is not here yet: it opens and transmits as any other. */
    void attach(OutStream r) {
        if (streams.putIfAbsent(r.key, r) != null) return;
        byLane.put(r.key, r);
        r.resetConnection(cfg.retransmitMillis()); // Else its first OPEN is repeated on every tick.
        deadlines.schedule(r);
        toPump.add(r);
    }

    /** Drops reader stream {@code r} of a shared log (the reader left): nothing of it is sent or written any more. */
    void detach(OutStream r) {
        if (streams.remove(r.key, r)) byLane.remove(r.key, r);
        toPump.remove(r);
        trimDirty.remove(r); // its timer entry stays queued: tick skips streams no longer here
    }

    /** The queue of this engine's sender timers, which reader streams of shared logs use too. */
    TimerQueue<OutStream> timers() {
        return timers;
    }

    /** The bytes all outbound pages hold beyond their floors ({@link PageBounds}). */
    PageBounds.Budget pages() {
        return pages;
    }

    /** A publish of {@code r}'s log is durable: {@code r} may transmit it, and expire it here at its deadline. */
    void readerCommitted(OutStream r) {
        if (streams.get(r.key) != r) return; // not attached yet: a new reader whose row is not stored
        deadlines.schedule(r);
        toPump.add(r);
    }

    /** The stream of {@code key}, made at its first send; once made, it stays for the engine's life. */
    OutStream stream(StreamKey key) {
        return streams.computeIfAbsent(key, k -> {
            OutStream n = k.isVolatile()
                    ? OutStream.volatileStream(k, budget, timers)
                    : new OutStream(k, 0, 0, pages.page(), timers);
            n.resetConnection(cfg.retransmitMillis()); // Else its first OPEN is repeated on every tick.
            if (loopback.isLoopback(k)) loopback.pair(n);
            byLane.put(k, n);
            return n;
        });
    }

    // ---- the connection ------------------------------------------------------------------------------

    /** A new connection to {@code peer}: every stream to it opens again. */
    void peerUp(NodeId peer) {
        for (OutStream s : streams.values()) {
            if (s.key.peer().equals(peer)) {
                s.resetConnection(cfg.retransmitMillis());
                toPump.add(s);
            }
        }
    }

    void peerDown(NodeId peer) {
        for (OutStream s : streams.values()) {
            if (s.key.peer().equals(peer)) s.resetConnection(cfg.retransmitMillis());
        }
    }

    /**
     * {@code peer}'s process restarted (its HELLO states a new boot id): what this process transmitted on volatile
     * streams to the earlier one and was not acknowledged may have been processed there, so it is not sent again but
     * settled as lost; the streams continue after it (their next OPEN says so to the new process).
     */
    void peerRestarted(NodeId peer) {
        for (OutStream s : streams.values()) {
            if (!s.key.peer().equals(peer) || !s.isVolatile()) continue;
            long from = s.loseTransmitted();
            long upTo = s.ackedSeq();
            for (long seq = from; seq <= upTo; seq++) out.outcome(s.key, seq, Outcome.LOST);
            if (from <= upTo) out.event(new TetherEvent.VolatileLost(peer, s.key.lane(), from, upTo));
            if (upTo > 0) out.volatileLost(s.key, upTo);
        }
    }

    /** {@code peer} is up and talking: an OPEN sent before it could hear us was lost, so open again now. */
    void heardHello(NodeId peer) {
        for (OutStream s : streams.values()) {
            if (s.key.peer().equals(peer) && s.heardHello()) toPump.add(s);
        }
    }

    /** The receiver reports progress and credit: each entry as if it had come alone. */
    void onAcks(long now, NodeId from, Frame.Acks a) {
        Map<String, OutStream> lanes = byLane.lanes(from);
        for (int i = 0; i < a.count(); i++) {
            OutStream s = lanes.get(a.lane(i));
            if (s == null) stats.frameIgnored(); // no such stream here (any more)
            else onAck(now, from, s, a.senderEpoch(i), a.receivedSeq(i), a.processedSeq(i), a.creditSeq(i));
        }
    }

    private void onAck(long now, NodeId from, OutStream s, long epoch, long received, long processed, long credit) {
        // Stale or stopped; or, Transmitter.open holding a volatile stream until the peer's HELLO, which pumps only
        // streams still to open: opened by an ACK before it, the stream would sit (the ACK after the HELLO's OPEN says
        // the same).
        if (epoch != epochOf(s)
                || s.link() == OutLink.DIVERGED
                || (s.isVolatile() && s.link() != OutLink.OPEN && !peers.helloHeard(from))) {
            stats.frameIgnored();
            return;
        }
        long rto = transmitter.acked(now, s, received, processed, cfg.retransmitMillis(), cfg.maxRetransmitMillis());
        boolean opening = s.link() != OutLink.OPEN;
        AckResult r = s.acked(now, received, processed, credit, rto);
        if (opening && s.link() == OutLink.OPEN) withdrawals.opened(now, s); // it may hold withdrawn ones
        if (r == AckResult.DIVERGED) {
            stats.protocolError(
                    now,
                    from,
                    "stream " + s.key + " stopped: receiver acknowledged up to " + received + " but this"
                            + " store committed only " + s.committedSeq() + " under the same epoch (restored from an"
                            + " old copy?). Its messages stay stored; give the store a new epoch to resynchronise.");
            return;
        }
        if (r == AckResult.ACKED) {
            if (!s.isVolatile()) trimDirty.add(s);
            out.acked(s, s.ackedSeq());
        }
        toPump.add(s);
    }

    void onResend(NodeId from, Frame.Resend r) {
        OutStream s = streams.get(new StreamKey(from, r.lane()));
        if (s == null || r.senderEpoch() != epochOf(s) || !s.resendFrom(r.fromSeq())) { // stale, or not open
            stats.frameIgnored();
            return;
        }
        transmitter.goesBack(s, false, 0, 0);
        toPump.add(s);
    }

    /**
     * The receiver settled a message without processing it. Returns the stream if it is a channel reader that settled
     * a DROPPED marker (a message it missed), for the shared logs to count; else null.
     */
    OutStream onOutcome(NodeId from, Frame.OutcomeNotice o) {
        OutStream s = streams.get(new StreamKey(from, o.lane()));
        if (s == null || o.senderEpoch() != epochOf(s) || !s.awaitsOutcome(o.seq())) { // stale, or settled already
            stats.frameIgnored();
            return null;
        }
        if (s.droppedHere(o.seq())) return null; // its outcome was reported when it was dropped
        if (o.outcome() == Frame.OutcomeNotice.DROPPED && s.log != null) return s; // a reader's missed message
        out.outcome(s.key, o.seq(), Frame.OutcomeNotice.outcomeOf(o.outcome()));
        return null;
    }

    /** Purges the outbound streams {@code peer} and {@code lane} select (null: any); {streams, messages} purged. */
    long[] purge(long now, NodeId peer, String lane) {
        long purgedStreams = 0, messages = 0;
        for (StreamKey k : streamKeys()) {
            if ((peer != null && !peer.equals(k.peer())) || (lane != null && !lane.equals(k.lane()))) continue;
            long n = purge(now, k);
            if (n > 0) purgedStreams++;
            messages += n;
        }
        return new long[] {purgedStreams, messages};
    }

    /**
     * Purges the committed, unacknowledged messages of {@code key} ({@link OutStream#purge}): their outcome is PURGED,
     * and a connected receiver gets an OPEN at once, so it moves past them (a resync). Returns how many.
     */
    long purge(long now, StreamKey key) {
        OutStream s = streams.get(key);
        if (s == null) return 0;
        long from = s.ackedSeq() + 1;
        long upTo = s.purge(cfg.retransmitMillis());
        if (upTo < from) return 0;
        for (long seq = from; seq <= upTo; seq++) out.outcome(key, seq, Outcome.PURGED);
        out.acked(key, upTo);
        if (s.isLoopback()) loopback.purged(s, upTo); // its receiving half writes the trim
        else trimDirty.add(s);
        if (peers.connected(key.peer())) {
            transmitter.sendOpen(s);
            s.opening(now);
        }
        return upTo - from + 1;
    }

    /** The outbound streams' keys, in the order the streams were created: a copy. */
    List<StreamKey> streamKeys() {
        return List.copyOf(streams.keySet());
    }

    // ---- time ----------------------------------------------------------------------------------------

    /**
     * Expires what is due, fires retransmission timers of connected streams, retries failed outbox reads. Only the
     * streams whose timer is due are looked at ({@link TimerQueue}); each is queued again at its next deadline (a
     * timed-out stream of a disconnected peer at the same one: looked at again on the next tick, until the peer's
     * reconnection resets its timer).
     */
    void tick(long now) {
        deadlines.expireDue(now);
        for (OutStream s : timers.takeDue(now)) {
            if (streams.get(s.key) != s) continue; // a reader removed from its log
            if (s.timedOut(now) && peers.connected(s.key.peer())) timeout(now, s);
            if (s.loadRetryDue(now)) wake(s);
            withdrawals.resendDue(now, s);
            s.armTimer();
        }
    }

    /** Timer entries queued; for tests of the bound. */
    int timersQueued() {
        return timers.size();
    }

    private void timeout(long now, OutStream s) {
        transmitter.goesBack(s, true, cfg.retransmitMillis(), cfg.maxRetransmitMillis());
        if (s.timeout(now, cfg.maxRetransmitMillis()) == StreamTimeout.PROBE) {
            transmitter.sendOpen(s); // Everything arrived but is not processed: probe for a fresh ACK.
        }
        toPump.add(s);
    }

    // ---- the store -----------------------------------------------------------------------------------

    long pendingSends() {
        return pendingSends;
    }

    boolean hasWrites() {
        // The count, not the scheduler: a stream whose last waiting send DROP_OLDEST took stays in it until a batch
        return pendingSends > 0 || !trimDirty.isEmpty() || drops.hasWrites() || withdrawals.hasWrites();
    }

    /** Whether a send above the default level waits for a batch (or a stream it raised: inheritance). */
    boolean highPending() {
        return pendingSends > 0 && withPendingSends.topLevel() > Priority.DEFAULT;
    }

    /**
     * Appends up to {@code room} waiting sends to batch {@code b} (accepted at {@code now}), then the trims that are due; a reader of a shared
     * log has a reader row written by {@code logs} instead. {@code highOnly}: the appends stop once no send above the
     * default level waits ({@link #highPending}), so an early batch for them does not carry a flood's backlog.
     */
    void writeTo(long now, Batch b, WriteBatch w, int room, SharedLogs logs, boolean highOnly) {
        appendPending(now, b, w, room, highOnly);
        for (OutStream s : trimDirty.drain()) {
            drops.changed(s); // its settled prefix moved: the record of dropped rows shrinks, or a failed batch had it
            withdrawals.settled(s); // and the marks of withdrawn messages it passed go
            if (s.trimDue() && s.log != null) {
                logs.cursorMoved(s);
            } else if (s.trimDue()) {
                w.trim(new WriteBatch.Trim(s.key.peer(), s.key.lane(), s.settledSeq()));
                b.trimmed.add(new Batch.Trimmed(s, s.settledSeq()));
            }
        }
        drops.writeTo(b, w);
        withdrawals.writeTo(b, w);
    }

    /**
     * Appends {@code b.effects}, the messages the receivers' settled runs send with the cursors written into this same
     * batch (settle-with-effects: after a crash both are stored or neither). An effect is never refused for a full
     * stream (its cursor must not wait); one to a peer that is unknown or removed cannot be sent and is dropped and
     * reported. Effects travel on lanes of their own (replies on {@code _reply}, where applications cannot send):
     * were an application's sends waiting on the same stream, the effect would be numbered before those not yet in a
     * batch.
     */
    void appendEffects(long now, Batch b, WriteBatch w) {
        for (Effect e : b.effects) {
            if (e.isKeyWrite()) {
                e.writeKeyTo(w);
                continue;
            }
            String refusal = peers.refuseSend(e.to());
            if (refusal != null) {
                out.event(new TetherEvent.ApplicationError(
                        "message to " + e.to() + " on " + e.lane(), "not sent: " + refusal));
                continue;
            }
            OutStream s = stream(new StreamKey(e.to(), e.lane()));
            PendingSend p = new PendingSend(EFFECT, e.headers(), e.payload(), e.expiresAt());
            StoredMessage m = s.number(p, now, checksums);
            w.append(m);
            b.appended.add(s, p, m);
        }
    }

    /**
     * Numbers and appends up to {@code room} waiting sends, {@link #QUANTUM} at a time per stream in the order of
     * {@link #withPendingSends}: a stream with more goes to the tail of the ring of its level (which its remaining
     * sends give), so that streams take turns, weighted by level, when a backlog is split over several batches.
     * {@code highOnly}: until no stream waits above the default level; the lower levels still get the quanta their
     * weights give them meanwhile (not strict).
     */
    private void appendPending(long now, Batch b, WriteBatch w, int room, boolean highOnly) {
        // Sized once for what it takes (an early batch for high sends may take few: it grows as needed), in the arrays
        // of the last batch committed if they are large enough.
        if (!highOnly) {
            int more = (int) Math.min(room, pendingSends);
            b.appended.reuse(spareAppends, more);
            b.appended.reserve(more);
        }
        while (room > 0 && !withPendingSends.isEmpty() && (!highOnly || highPending())) {
            OutStream s = withPendingSends.next();
            int n = Math.min(Math.min(room, QUANTUM), s.pendingCount());
            for (int i = 0; i < n; i++) {
                PendingSend p = s.nextPending();
                StoredMessage m = s.number(p, now, checksums);
                b.appended.add(s, p, m);
                w.append(m);
            }
            room -= n;
            pendingSends -= n;
            if (s.pendingCount() > 0) withPendingSends.add(s, s.levels.level());
        }
    }

    /** Batch {@code b} is durable: its sends are accepted and may be transmitted; its trims are done. */
    void committed(long now, Batch b) {
        int level = -1;
        BatchAppends a = b.appended;
        for (int i = 0; i < a.size(); i++) {
            OutStream s = a.stream(i);
            StoredMessage m = a.stored(i);
            boolean dropped = s.committed(m, a.sendSize(i), a.level(i));
            level = Math.max(level, a.level(i));
            long token = a.token(i);
            if (token != EFFECT) out.accepted(token, s.key, m.seq());
            // Dropped while its batch was being stored: settled now, DROPPED once a later batch stores the drop.
            if (dropped && s.trimDue()) trimDirty.add(s);
            if (i + 1 == a.size() || a.stream(i + 1) != s) { // the end of the stream's run
                deadlines.schedule(s);
                wake(s);
            }
        }
        if (a.keptForReuse()) spareAppends = a; // its arrays, for a later batch
        for (Batch.Trimmed t : b.trimmed) t.stream().trimmed(t.upTo());
        drops.committed(b);
        withdrawals.committed(now, b);
        // Its sends are transmitted at the end of this turn, and a batch may start for high sends still waiting.
        level = Math.max(level, withPendingSends.topLevel());
        if (level > Priority.DEFAULT) out.urgent(level);
    }

    /** Batch {@code b} was not stored: its sends fail, and their numbers are free again. */
    void appendsFailed(Batch b, String reason, Exception error) {
        BatchAppends a = b.appended;
        for (int i = 0; i < a.size(); i++) {
            OutStream s = a.stream(i);
            if (i == 0 || a.stream(i - 1) != s) {
                s.appendsFailed(); // Everything after its committed messages was in the failed batches.
                drops.changed(s); // drops of those numbers are forgotten
            }
            // An effect is appended again with the cursor it belongs to (Receivers.retryLater).
            if (a.token(i) != EFFECT) out.rejected(a.token(i), new StoreException(reason, error));
        }
    }

    /** Batch {@code b} was not stored: its trims are written again with the next one. */
    void retryLater(Batch b) {
        for (Batch.Trimmed t : b.trimmed) trimDirty.add(t.stream());
        drops.retryLater(b);
        withdrawals.retryLater(b);
    }

    /** Outbox messages requested with {@code load} arrived. */
    void onLoaded(long now, StreamKey key, List<StoredMessage> messages) {
        OutStream s = streams.get(key);
        if (s == null) return;
        for (long seq : s.loaded(messages)) {
            stats.checksumMismatch(
                    now,
                    new TetherEvent.ChecksumMismatch(
                            key.peer(),
                            key.lane(),
                            seq,
                            TetherEvent.ChecksumMismatch.Where.STORE,
                            "outbox message changed in this node's store since it was stored; sent marked as damaged,"
                                    + " for the receiver's dead-letter queue"));
        }
        wake(s);
    }

    void onLoadFailed(long now, StreamKey key, Exception error) {
        OutStream s = streams.get(key);
        if (s != null) s.loadFailed(now + 100);
        stats.storeFailed(now, "outbox read for " + key + " failed: " + error.getMessage());
    }

    // ---- the end of the turn -------------------------------------------------------------------------

    /**
     * Opens every stream an input marked that must open, and transmits on those with something to send one DATA frame
     * at a time in the order of {@link #toTransmit}: the streams with higher-priority messages within their credit go
     * first, weighted, so that their frames are written ahead of a low-priority backlog's.
     */
    void pumpDue(long now) {
        for (OutStream s : toPump.drain()) {
            if (transmitter.open(now, s)) toTransmit.add(s, transmitter.level(s));
        }
        for (OutStream s = toTransmit.next(); s != null; s = toTransmit.next()) {
            if (transmitter.transmitFrame(now, s)) toTransmit.add(s, toTransmit.lastLevel());
        }
    }
}
