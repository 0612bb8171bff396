package dev.tether.internal.engine;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.PeerRemoval;
import dev.tether.ProtocolException;
import dev.tether.QueueFullException;
import dev.tether.StoreException;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.UnknownPeerException;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.OutboundState;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sans-I/O protocol engine of one node: state in, inputs with the current time, effects out through an
 * {@link EngineOutput}. It has no threads, sockets, storage or clocks, so a test or a simulator can step it
 * deterministically. Not thread-safe: one owner thread calls every method.
 *
 * <p>Inputs are the {@code on*} methods and {@link #send}; after a burst of inputs the owner calls {@link
 * #endTurn}, which starts the next store batch, transmits what is ready and flushes. See docs/PROTOCOL.md.
 */
public final class Engine {
    private final EngineConfig cfg;
    private final long epoch;
    private final EngineOutput out;
    private final ByteBuffer buf;

    private final PeerTable peers;
    private final Map<StreamKey, OutStream> outbound = new LinkedHashMap<>();
    private final Map<StreamKey, InStream> inbound = new LinkedHashMap<>();

    // Work for the end of the turn.
    private final Set<OutStream> toPump = new LinkedHashSet<>();
    private final Set<InStream> toServe = new LinkedHashSet<>();
    private final Set<OutStream> withPendingSends = new LinkedHashSet<>();
    /** Sends waiting for a batch, over all streams. */
    private long pendingSends;

    private final Set<OutStream> trimDirty = new LinkedHashSet<>();
    private final Set<InStream> cursorDirty = new LinkedHashSet<>();
    private final Map<InStream, List<long[]>> pendingOutcomes = new HashMap<>();
    private final List<DeadLetter> pendingDeadLetters = new ArrayList<>();
    private final Set<NodeId> peerEpochDirty = new LinkedHashSet<>();

    /** Batches handed to {@code persist} and not yet answered, oldest first; answers come in this order. */
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    /**
     * Batches up to this id were in flight behind a failed one and are already treated as failed; the writer
     * reports them failed without attempting them (see {@link EngineOutput#persist}).
     */
    private long abandonedUpTo;

    private long nextBatchId = 1;
    private long storeRetryAt;

    private long protocolErrors;
    private long connectionsRejected;
    private final EventThrottle<String, TetherEvent.ConnectionRejected> rejections =
            new EventThrottle<>(TetherEvent.ConnectionRejected::new);
    private final EventThrottle<NodeId, TetherEvent.ProtocolError> protocolErrorEvents =
            new EventThrottle<>(TetherEvent.ProtocolError::new);
    private final EventThrottle<Void, TetherEvent.StoreFailure> storeFailureEvents =
            new EventThrottle<>((none, reason, suppressed) -> new TetherEvent.StoreFailure(reason, suppressed));
    private long storeFailures;

    /** What a batch being committed will change once it is durable. */
    private static final class Batch {
        final long id;
        final List<Appended> appended = new ArrayList<>();
        final List<Trimmed> trimmed = new ArrayList<>();
        final List<Cursor> cursors = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final List<NodeId> peerEpochs = new ArrayList<>();

        Batch(long id) {
            this.id = id;
        }
    }

    private record Appended(OutStream stream, List<OutStream.PendingSend> sends, List<StoredMessage> stored) {}

    private record Trimmed(OutStream stream, long upTo) {}

    private record Cursor(InStream stream, long senderEpoch, long processed, List<long[]> outcomes) {}

    public Engine(EngineConfig cfg, StoredState state, EngineOutput out) {
        this.cfg = cfg;
        this.epoch = state.epoch();
        this.out = out;
        this.buf = ByteBuffer.allocate(cfg.maxFrameBytes());
        this.peers = new PeerTable(cfg.self(), cfg.peers(), state);
        for (OutboundState s : state.outbound()) {
            StreamKey k = new StreamKey(s.to(), s.lane());
            outbound.put(k, new OutStream(k, s.lastSeq(), s.ackedSeq()));
        }
        for (InboundCursor c : state.inbound()) {
            StreamKey k = new StreamKey(c.from(), c.lane());
            inbound.put(k, new InStream(k, c.senderEpoch(), c.processedSeq()));
        }
    }

    public long epoch() {
        return epoch;
    }

    // ---- inputs: the application ----------------------------------------------------------------------

    /** Queues a message for the next store batch; {@code token} identifies it in {@code accepted/rejected}. */
    public void send(
            long now, long token, NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt) {
        String refusal = peers.refuseSend(to);
        if (refusal != null) {
            out.rejected(token, new UnknownPeerException(refusal));
            return;
        }
        OutStream s = outbound.computeIfAbsent(new StreamKey(to, lane), k -> {
            OutStream n = new OutStream(k, 0, 0);
            n.resetConnection(cfg.retransmitMillis()); // Else its first OPEN is repeated on every tick.
            return n;
        });
        if (s.unacked() >= cfg.maxQueuedPerStream()) {
            out.rejected(
                    token,
                    new QueueFullException("stream " + s.key + " holds " + s.unacked()
                            + " unacknowledged messages (maxQueuedPerStream " + cfg.maxQueuedPerStream() + ")"));
            return;
        }
        s.pending.add(new OutStream.PendingSend(token, headers, payload, expiresAt));
        pendingSends++;
        withPendingSends.add(s);
    }

    /**
     * The application settled a run handed out by {@code deliver}: every message up to {@code ackedUpTo} is
     * processed; if {@code failedSeq > 0} that next message failed with {@code reason}. The messages of the
     * run after those were not handed to the application: the redelivery flag relies on it.
     */
    public void onSettled(long now, StreamKey key, long generation, long ackedUpTo, long failedSeq, String reason) {
        InStream s = inbound.get(key);
        if (s == null || !s.runOutstanding || s.runGeneration != generation) return;
        s.runOutstanding = false;
        toServe.add(s);
        if (generation != s.generation) return; // The stream restarted meanwhile: the old run's results are void.
        s.runEnded(ackedUpTo, failedSeq);
        acknowledged(s, ackedUpTo);
        s.leasedUpTo = s.processed;
        if (failedSeq > 0 && failedSeq == s.processed + 1) failed(now, s, s.buffer.get(failedSeq), reason);
    }

    /**
     * The application acknowledged messages of an outstanding run up to {@code ackedUpTo} and is still
     * working on the rest: advance the cursor without ending the run.
     */
    public void onProgress(long now, StreamKey key, long generation, long ackedUpTo) {
        InStream s = inbound.get(key);
        if (s != null && s.runOutstanding && s.runGeneration == generation && generation == s.generation) {
            acknowledged(s, ackedUpTo);
        }
    }

    private void acknowledged(InStream s, long ackedUpTo) {
        long upTo = Math.min(ackedUpTo, s.leasedUpTo);
        if (upTo > s.processed) {
            s.delivered += upTo - s.processed;
            s.settleUpTo(upTo);
            cursorDirty.add(s);
        }
    }

    private void failed(long now, InStream s, InStream.InMessage m, String reason) {
        if (m == null) return;
        if (m.attempts < cfg.retryPolicy().maxAttempts()) {
            s.retryAt = now + cfg.retryPolicy().backoffMillis(m.attempts);
            return;
        }
        if (cfg.failurePolicy() == FailurePolicy.BLOCK) {
            s.blocked = true;
            out.event(new TetherEvent.StreamBlocked(s.key.peer(), s.key.lane(), m.seq, m.attempts, reason));
            return;
        }
        Frame.Message msg = m.message;
        pendingDeadLetters.add(new DeadLetter(
                s.key.peer(),
                s.key.lane(),
                s.senderEpoch,
                m.seq,
                msg.headers(),
                msg.payload(),
                m.attempts,
                reason,
                now));
        s.deadLettered++;
        settleWithout(s, m.seq, Frame.OutcomeNotice.DEAD_LETTERED);
        out.event(new TetherEvent.DeadLettered(s.key.peer(), s.key.lane(), m.seq, m.attempts, reason));
    }

    private void settleWithout(InStream s, long seq, int outcome) {
        s.settleUpTo(seq);
        s.retryAt = 0;
        cursorDirty.add(s);
        pendingOutcomes.computeIfAbsent(s, k -> new ArrayList<>()).add(new long[] {seq, outcome});
    }

    // ---- inputs: the transport ------------------------------------------------------------------------

    /**
     * The transport admitted {@code peer} and reports it connected; a peer it did not know becomes known as
     * admitted. Returns false, ignoring the connection, if the peer was removed: the owner closes it.
     */
    public boolean onPeerUp(long now, NodeId peer) {
        PeerTable.Peer p = peers.up(now, peer);
        if (p == null) return false;
        out.event(new TetherEvent.PeerConnected(peer));
        buf.clear();
        FrameCodec.hello(buf, cfg.self(), epoch);
        transmit(peer);
        ping(now, p);
        for (OutStream s : outbound.values()) {
            if (s.key.peer().equals(peer)) {
                s.resetConnection(cfg.retransmitMillis());
                toPump.add(s);
            }
        }
        for (InStream s : inbound.values()) {
            if (s.key.peer().equals(peer)) s.resendAskedFor = 0;
        }
        return true;
    }

    public void onPeerDown(long now, NodeId peer) {
        if (!peers.down(peer)) return;
        for (OutStream s : outbound.values()) {
            if (s.key.peer().equals(peer)) s.resetConnection(cfg.retransmitMillis());
        }
        out.event(new TetherEvent.PeerDisconnected(peer));
    }

    /** A frame arrived from {@code from}; malformed or unexpected frames are counted and reported. */
    public void onFrame(long now, NodeId from, ByteBuffer frame) {
        PeerTable.Peer p = peers.get(from);
        if (p == null) {
            protocolError(now, from, "frame from unknown peer " + from);
            return;
        }
        if (p.removed) return; // its connection is being closed
        p.lastSeen = now;
        Frame f;
        try {
            f = FrameCodec.decode(frame);
        } catch (ProtocolException e) {
            protocolError(now, from, e.getMessage());
            return;
        }
        p.heard = true;
        if (f instanceof Frame.Hello h) onHello(now, from, p, h);
        else if (f instanceof Frame.Open o) onOpen(from, o);
        else if (f instanceof Frame.Data d) onData(now, from, d);
        else if (f instanceof Frame.Ack a) onAck(now, from, a);
        else if (f instanceof Frame.Resend r) onResend(from, r);
        else if (f instanceof Frame.OutcomeNotice o) onOutcome(from, o);
        else if (f instanceof Frame.Ping g) pong(from, g.sentAt());
        else if (f instanceof Frame.Pong g) onPong(now, p, g);
    }

    private void onHello(long now, NodeId from, PeerTable.Peer p, Frame.Hello h) {
        if (!h.node().equals(from)) {
            protocolError(now, from, "peer " + from + " introduced itself as " + h.node());
            return;
        }
        // The peer is up and talking: an OPEN sent before it could hear us was lost, so open again now.
        for (OutStream s : outbound.values()) {
            if (s.key.peer().equals(from) && !s.opened) {
                s.openSent = false;
                toPump.add(s);
            }
        }
        if (p.knownEpoch == h.epoch()) return;
        if (p.knownEpoch != 0) {
            out.event(new TetherEvent.Resync(
                    from,
                    "*",
                    "peer store epoch changed from " + Long.toHexString(p.knownEpoch) + " to "
                            + Long.toHexString(h.epoch()) + ": a new incarnation",
                    0));
        }
        p.knownEpoch = h.epoch();
        peerEpochDirty.add(from);
    }

    /** Receiver side: the sender states its stream; answer with our cursor. */
    private void onOpen(NodeId from, Frame.Open o) {
        StreamKey key = new StreamKey(from, o.lane());
        InStream s = inbound.get(key);
        if (s == null) {
            s = new InStream(key, o.senderEpoch(), o.ackedSeq());
            inbound.put(key, s);
            cursorDirty.add(s);
            if (o.ackedSeq() > 0) resync(s, "no cursor for this stream; sender reports it taken care of", o.ackedSeq());
        } else if (s.senderEpoch != o.senderEpoch()) {
            s.restart(o.senderEpoch(), o.ackedSeq());
            cursorDirty.add(s);
            pendingOutcomes.remove(s);
            resync(s, "sender is a new incarnation", o.ackedSeq());
        } else if (o.ackedSeq() > s.processed) {
            s.restart(o.senderEpoch(), o.ackedSeq());
            cursorDirty.add(s);
            resync(s, "sender reports messages taken care of beyond this cursor", o.ackedSeq());
        }
        // Only committed messages are transmitted, so nothing above lastSeq reached an earlier lifetime of ours: this
        // OPEN came on a connection to this process (Transport rule 4), so it was sent after that lifetime ended.
        s.freshFrom(o.lastSeq() + 1);
        // An OPEN whose lastSeq is below our cursor does not prove that the sender's store went backwards: the
        // transport may reorder and delay frames, even across connections, so it may be a stale one. Answer it:
        // a sender whose store did go backwards detects that from this answer (onAck) and does not open.
        s.ackDue = true;
        toServe.add(s);
    }

    private void resync(InStream s, String reason, long cursor) {
        out.event(new TetherEvent.Resync(s.key.peer(), s.key.lane(), reason, cursor));
    }

    /** Receiver side: accept the next consecutive messages within credit; drop duplicates; ask for gaps. */
    private void onData(long now, NodeId from, Frame.Data d) {
        InStream s = inbound.get(new StreamKey(from, d.lane()));
        if (s == null || s.senderEpoch != d.senderEpoch()) return; // Before OPEN or stale: the sender resends.
        noteFirstTransmission(s, d);
        long seq = d.firstSeq();
        long credit = s.credit(cfg.window());
        for (Frame.Message m : d.messages()) {
            if (seq <= s.receivedUpTo) {
                s.duplicates++;
            } else if (seq == s.receivedUpTo + 1 && seq <= credit) {
                s.buffer.add(seq, new InStream.InMessage(seq, m));
                s.receivedUpTo = seq;
            } else if (seq > s.receivedUpTo + 1) {
                askResend(now, s, from);
                break;
            } else {
                break; // Beyond credit: the sender resends once we grant more.
            }
            seq++;
        }
        s.ackDue = true;
        toServe.add(s);
    }

    /**
     * An unflagged message is a first transmission: the sender sends in sequence order and its store had never
     * committed any later number before, so no later message was transmitted before this frame, which came on a
     * connection to this process (Transport rule 4). None of them can have reached an earlier lifetime.
     */
    private static void noteFirstTransmission(InStream s, Frame.Data d) {
        List<Frame.Message> messages = d.messages();
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).has(Frame.Message.REDELIVERY)) {
                s.freshFrom(d.firstSeq() + i);
                return;
            }
        }
    }

    private void askResend(long now, InStream s, NodeId from) {
        long fromSeq = s.receivedUpTo + 1;
        if (s.resendAskedFor == fromSeq && now - s.resendAskedAt < cfg.retransmitMillis()) return;
        s.resendAskedFor = fromSeq;
        s.resendAskedAt = now;
        buf.clear();
        FrameCodec.resend(buf, s.key.lane(), s.senderEpoch, fromSeq);
        transmit(from);
    }

    /** Sender side: the receiver reports progress and credit. */
    private void onAck(long now, NodeId from, Frame.Ack a) {
        OutStream s = outbound.get(new StreamKey(from, a.lane()));
        if (s == null || a.senderEpoch() != epoch || s.diverged) return; // Earlier incarnation, or stopped.
        if (a.processedSeq() > s.committedSeq || a.receivedSeq() > s.committedSeq) {
            // Accepting it later, once new sends reach that number, would trim messages never sent.
            s.diverged = true;
            protocolError(
                    now,
                    from,
                    "stream " + s.key + " stopped: receiver acknowledged up to " + a.receivedSeq() + " but this"
                            + " store committed only " + s.committedSeq + " under the same epoch (restored from an old"
                            + " copy?). Its messages stay stored; give the store a new epoch to resynchronise.");
            return;
        }
        boolean progress = false;
        if (a.processedSeq() > s.ackedSeq) {
            s.ackUpTo(a.processedSeq());
            trimDirty.add(s);
            out.acked(s.key, s.ackedSeq);
            progress = true;
        }
        if (!s.opened) {
            s.opened = true;
            s.sentUpTo = Math.max(s.ackedSeq, a.receivedSeq());
            progress = true;
        }
        long received = Math.max(s.ackedSeq, Math.min(a.receivedSeq(), s.sentUpTo));
        if (received > s.receivedUpTo) progress = true;
        s.receivedUpTo = received;
        s.creditSeq = Math.max(s.creditSeq, a.creditSeq());
        if (progress) {
            s.rtoMillis = cfg.retransmitMillis();
            s.rtoDeadline = s.hasUnackedTransmissions() ? now + s.rtoMillis : 0;
        }
        toPump.add(s);
    }

    private void onResend(NodeId from, Frame.Resend r) {
        OutStream s = outbound.get(new StreamKey(from, r.lane()));
        if (s == null || r.senderEpoch() != epoch || !s.opened) return;
        long back = Math.max(s.ackedSeq, r.fromSeq() - 1);
        if (back < s.sentUpTo) {
            s.retransmitted += s.sentUpTo - back;
            s.sentUpTo = back;
        }
        s.receivedUpTo = Math.min(s.receivedUpTo, back);
        toPump.add(s);
    }

    private void onOutcome(NodeId from, Frame.OutcomeNotice o) {
        OutStream s = outbound.get(new StreamKey(from, o.lane()));
        if (s == null || o.senderEpoch() != epoch || o.seq() > s.committedSeq || o.seq() <= s.ackedSeq) return;
        out.outcome(
                s.key, o.seq(), o.outcome() == Frame.OutcomeNotice.EXPIRED ? Outcome.EXPIRED : Outcome.DEAD_LETTERED);
    }

    // ---- inputs: the store ----------------------------------------------------------------------------

    /** Batch {@code batchId}, the oldest in flight, is durable: apply what it changes. */
    public void onCommitted(long now, long batchId) {
        Batch b = answered(batchId, true);
        for (Appended a : b.appended) committedAppends(a);
        for (Trimmed t : b.trimmed) t.stream().trimmedSeq = Math.max(t.stream().trimmedSeq, t.upTo());
        for (Cursor c : b.cursors) committedCursor(c);
    }

    private void committedAppends(Appended a) {
        OutStream s = a.stream();
        for (int i = 0; i < a.stored().size(); i++) {
            StoredMessage m = a.stored().get(i);
            s.committedSeq = m.seq();
            if (m.seq() == s.cache.nextSeq() && s.cache.size() < cfg.outboundCache()) {
                s.cache.add(m.seq(), new OutStream.OutMessage(m));
            }
            out.accepted(a.sends().get(i).token(), s.key, m.seq());
        }
        toPump.add(s);
    }

    private void committedCursor(Cursor c) {
        InStream s = c.stream();
        if (s.senderEpoch != c.senderEpoch()) return;
        if (c.processed() > s.durable) s.durable = c.processed();
        if (peerConnected(s.key.peer())) {
            for (long[] o : c.outcomes()) {
                buf.clear();
                FrameCodec.outcome(buf, s.key.lane(), s.senderEpoch, o[0], (int) o[1]);
                transmit(s.key.peer());
            }
        }
        s.ackDue = true;
        toServe.add(s);
    }

    /**
     * Batch {@code batchId} was not stored. Every batch in flight behind it fails with it: the writer does not
     * attempt them (EngineOutput#persist), so the store holds exactly the batches before it. Their sends fail,
     * their numbers are free again, and their other writes go into a later batch.
     */
    public void onCommitFailed(long now, long batchId, Exception error) {
        Batch first = answered(batchId, false);
        if (first == null) return; // Abandoned with an earlier failure, already handled.
        List<Batch> failed = new ArrayList<>(inFlight.size() + 1);
        failed.add(first);
        failed.addAll(inFlight);
        if (!inFlight.isEmpty()) abandonedUpTo = inFlight.peekLast().id;
        inFlight.clear();
        storeRetryAt = now + 100;
        String reason = "store commit failed: " + error.getMessage();
        storeFailure(now, reason);
        for (Batch b : failed) {
            for (Appended a : b.appended) {
                a.stream().lastSeq = a.stream().committedSeq; // Everything after it was in the failed batches.
                for (OutStream.PendingSend p : a.sends()) out.rejected(p.token(), new StoreException(reason, error));
            }
        }
        for (int i = failed.size() - 1; i >= 0; i--) retryLater(failed.get(i)); // Newest first: each goes in front.
    }

    /** Puts the writes of a failed batch other than its appends back in front of what is pending. */
    private void retryLater(Batch b) {
        for (Trimmed t : b.trimmed) trimDirty.add(t.stream());
        for (Cursor c : b.cursors) {
            cursorDirty.add(c.stream());
            if (!c.outcomes().isEmpty() && c.senderEpoch() == c.stream().senderEpoch) {
                pendingOutcomes
                        .computeIfAbsent(c.stream(), k -> new ArrayList<>())
                        .addAll(0, c.outcomes());
            }
        }
        pendingDeadLetters.addAll(0, b.deadLetters);
        peerEpochDirty.addAll(b.peerEpochs);
    }

    /**
     * Takes the answered batch off the pipeline. Answers come in persist order; a failure of a batch that was
     * abandoned with an earlier failure returns null.
     */
    private Batch answered(long batchId, boolean committed) {
        Batch head = inFlight.peekFirst();
        if (head != null && head.id == batchId) return inFlight.pollFirst();
        if (!committed && batchId <= abandonedUpTo && (head == null || batchId < head.id)) return null;
        throw new IllegalStateException("batch " + batchId + (committed ? " committed" : " failed")
                + " out of order: the oldest batch in flight is " + (head == null ? "none" : head.id)
                + (batchId <= abandonedUpTo ? " and it was abandoned after an earlier failure" : ""));
    }

    /** Outbox messages requested with {@code load} arrived. */
    public void onLoaded(long now, StreamKey key, List<StoredMessage> messages) {
        OutStream s = outbound.get(key);
        if (s == null) return;
        s.loading = false;
        for (StoredMessage m : messages) {
            if (m.seq() == s.cache.nextSeq() && m.seq() <= s.committedSeq && s.cache.size() < cfg.outboundCache()) {
                s.cache.add(m.seq(), new OutStream.OutMessage(m));
            }
        }
        toPump.add(s);
    }

    public void onLoadFailed(long now, StreamKey key, Exception error) {
        OutStream s = outbound.get(key);
        if (s != null) {
            s.loading = false;
            s.loadRetryAt = now + 100; // Nothing else may pump this stream again: retry from onTick.
        }
        storeFailure(now, "outbox read for " + key + " failed: " + error.getMessage());
    }

    // ---- inputs: time ---------------------------------------------------------------------------------

    /**
     * Fires due timers: retransmissions, probes and delayed redeliveries; reports a rate-limited connection
     * rejection once the rate allows.
     */
    public void onTick(long now) {
        for (OutStream s : outbound.values()) {
            if (s.rtoDeadline != 0 && now >= s.rtoDeadline && peerConnected(s.key.peer())) retransmitTimeout(now, s);
            if (s.loadRetryAt != 0 && now >= s.loadRetryAt) {
                s.loadRetryAt = 0;
                toPump.add(s);
            }
        }
        for (InStream s : inbound.values()) {
            if (s.retryAt != 0 && now >= s.retryAt) toServe.add(s);
        }
        for (PeerTable.Peer p : peers.pingsDue(now)) ping(now, p);
        TetherEvent.ConnectionRejected held = rejections.flush(now);
        if (held != null) out.event(held);
        TetherEvent.ProtocolError heldError = protocolErrorEvents.flush(now);
        if (heldError != null) out.event(heldError);
        TetherEvent.StoreFailure heldFailure = storeFailureEvents.flush(now);
        if (heldFailure != null) out.event(heldFailure);
    }

    private void retransmitTimeout(long now, OutStream s) {
        if (!s.opened) {
            s.openSent = false; // OPEN or its answer was lost: open again.
        } else if (s.sentUpTo > s.receivedUpTo) {
            long back = Math.max(s.receivedUpTo, s.ackedSeq);
            s.retransmitted += s.sentUpTo - back;
            s.sentUpTo = back;
        } else {
            sendOpen(s); // Everything arrived but is not processed: probe for a fresh ACK.
        }
        s.rtoMillis = Math.min(s.rtoMillis * 2, cfg.maxRetransmitMillis());
        s.rtoDeadline = now + s.rtoMillis;
        toPump.add(s);
    }

    // ---- end of turn ----------------------------------------------------------------------------------

    /** Starts the next store batch, delivers, acknowledges and transmits what is ready, and flushes. */
    public void endTurn(long now) {
        maybePersist(now);
        while (!toServe.isEmpty()) {
            List<InStream> serve = new ArrayList<>(toServe);
            toServe.clear();
            for (InStream s : serve) serve(now, s);
        }
        if (!cursorDirty.isEmpty() || !pendingDeadLetters.isEmpty()) maybePersist(now);
        List<OutStream> pump = new ArrayList<>(toPump);
        toPump.clear();
        for (OutStream s : pump) pump(now, s);
        if (peers.resumePending()) {
            for (NodeId p : peers.resumed(outbound.values())) out.event(new TetherEvent.PeerResumed(p));
        }
        out.flush();
    }

    /**
     * Starts store batches. The first starts as soon as there is anything to write. While batches are in flight,
     * up to {@code maxBatchesInFlight}, a further one starts only if at least {@code minBatchMessages} sends
     * wait: fewer wait for the commit in flight, so that at low load one commit still takes everything that
     * arrived during the previous one, while a backlog goes to the writer back to back in batches of bounded
     * size. The writer commits them in order, one after the other.
     */
    private void maybePersist(long now) {
        while (now >= storeRetryAt
                && inFlight.size() < cfg.maxBatchesInFlight()
                && hasWritesPending()
                && (inFlight.isEmpty() || pendingSends >= cfg.minBatchMessages())) {
            startBatch();
        }
    }

    private boolean hasWritesPending() {
        return !withPendingSends.isEmpty()
                || !trimDirty.isEmpty()
                || !cursorDirty.isEmpty()
                || !pendingDeadLetters.isEmpty()
                || !peerEpochDirty.isEmpty();
    }

    private void startBatch() {
        Batch b = new Batch(nextBatchId++);
        WriteBatch w = new WriteBatch();
        appendPending(b, w);
        for (OutStream s : trimDirty) {
            if (s.ackedSeq > s.trimmedSeq) {
                w.trim(new WriteBatch.Trim(s.key.peer(), s.key.lane(), s.ackedSeq));
                b.trimmed.add(new Trimmed(s, s.ackedSeq));
            }
        }
        trimDirty.clear();
        for (InStream s : cursorDirty) {
            w.cursor(new InboundCursor(s.key.peer(), s.key.lane(), s.senderEpoch, s.processed));
            List<long[]> outcomes = pendingOutcomes.remove(s);
            b.cursors.add(new Cursor(s, s.senderEpoch, s.processed, outcomes == null ? List.of() : outcomes));
        }
        cursorDirty.clear();
        for (DeadLetter d : pendingDeadLetters) w.deadLetter(d);
        b.deadLetters.addAll(pendingDeadLetters);
        pendingDeadLetters.clear();
        for (NodeId p : peerEpochDirty) {
            w.peerEpoch(new WriteBatch.PeerEpoch(p, peers.get(p).knownEpoch));
            b.peerEpochs.add(p);
        }
        peerEpochDirty.clear();
        long after = inFlight.isEmpty() ? 0 : inFlight.peekLast().id;
        inFlight.addLast(b);
        out.persist(b.id, after, w);
    }

    /**
     * Numbers and appends up to {@link #batchSize} waiting sends. A stream whose sends do not all fit goes
     * to the back of the queue, so that streams take turns when a backlog is split over several batches.
     */
    private void appendPending(Batch b, WriteBatch w) {
        int room = batchSize();
        List<OutStream> unfinished = new ArrayList<>();
        for (Iterator<OutStream> it = withPendingSends.iterator(); it.hasNext() && room > 0; ) {
            OutStream s = it.next();
            it.remove();
            int n = Math.min(room, s.pending.size());
            if (n == 0) continue;
            List<OutStream.PendingSend> sends = new ArrayList<>(n);
            List<StoredMessage> stored = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                OutStream.PendingSend p = s.pending.poll();
                StoredMessage m = new StoredMessage(
                        s.key.peer(), s.key.lane(), ++s.lastSeq, p.expiresAt(), p.headers(), p.payload());
                sends.add(p);
                stored.add(m);
                w.append(m);
            }
            room -= n;
            pendingSends -= n;
            b.appended.add(new Appended(s, sends, stored));
            if (!s.pending.isEmpty()) unfinished.add(s);
        }
        withPendingSends.addAll(unfinished);
    }

    /**
     * How many waiting sends the next batch takes: all of them up to {@code minBatchMessages}, else a quarter,
     * within [{@code minBatchMessages}, {@code maxBatchMessages}]. A small backlog thus goes in small steps (its
     * oldest messages are stored after one short commit, not after one holding the whole backlog), and a large
     * one in large steps (a saturated store spends its time on rows, not on per-commit costs).
     */
    private int batchSize() {
        long size = Math.max(cfg.minBatchMessages(), Math.min(cfg.maxBatchMessages(), pendingSends / 4));
        return (int) Math.min(size, pendingSends);
    }

    /** Receiver side: expire, deliver and acknowledge what is due on {@code s}. */
    private void serve(long now, InStream s) {
        if (!s.blocked && !s.runOutstanding && (s.retryAt == 0 || now >= s.retryAt)) deliverRun(now, s);
        if (s.ackDue && peerConnected(s.key.peer())) {
            buf.clear();
            FrameCodec.ack(buf, s.key.lane(), s.senderEpoch, s.receivedUpTo, s.durable, s.credit(cfg.window()));
            transmit(s.key.peer());
        }
        s.ackDue = false;
    }

    private void deliverRun(long now, InStream s) {
        InStream.InMessage head = s.buffer.get(s.processed + 1);
        while (head != null && head.expired(now)) {
            s.expired++;
            settleWithout(s, head.seq, Frame.OutcomeNotice.EXPIRED);
            out.event(new TetherEvent.Expired(s.key.peer(), s.key.lane(), head.seq));
            head = s.buffer.get(s.processed + 1);
        }
        if (head == null) return;
        s.retryAt = 0;
        List<InboundMessage> run = new ArrayList<>();
        for (long seq = head.seq; seq <= s.receivedUpTo && run.size() < cfg.maxRun(); seq++) {
            InStream.InMessage m = s.buffer.get(seq);
            if (m.expired(now)) break;
            m.attempts++;
            boolean redelivery = s.mayHaveBeenHanded(m);
            if (redelivery && !run.isEmpty()) {
                // Only a run's first message surely reaches the application (an earlier one may fail): a flagged
                // one starts the next run, so each Redelivery event and count stands for a flagged hand-out.
                m.attempts--;
                break;
            }
            if (redelivery) {
                s.redelivered++;
                out.event(new TetherEvent.Redelivery(s.key.peer(), s.key.lane(), seq, m.attempts));
            }
            Frame.Message msg = m.message;
            run.add(new InboundMessage(
                    seq, msg.expiresAtMillis(), msg.headers(), msg.payload(), redelivery, m.attempts));
        }
        s.runOutstanding = true;
        s.runGeneration = s.generation;
        s.leasedUpTo = head.seq + run.size() - 1;
        s.handingOut(s.leasedUpTo);
        out.deliver(s.key, s.generation, run);
    }

    /** Sender side: open the stream if needed and transmit what credit allows. */
    private void pump(long now, OutStream s) {
        if (!peerConnected(s.key.peer()) || s.diverged) return;
        if (!s.opened) {
            if (!s.openSent && s.committedSeq > s.ackedSeq) {
                sendOpen(s);
                s.rtoDeadline = now + s.rtoMillis;
            }
            return;
        }
        long limit = Math.min(s.committedSeq, s.creditSeq);
        while (s.sentUpTo < limit) {
            if (s.sentUpTo + 1 > s.memLast()) {
                requestLoad(s);
                return;
            }
            boolean wasIdle = !s.hasUnackedTransmissions();
            transmitData(now, s, Math.min(limit, s.memLast()));
            if (wasIdle) s.rtoDeadline = now + s.rtoMillis;
        }
        if (s.sentUpTo < s.committedSeq && s.rtoDeadline == 0) {
            // Out of credit with nothing in flight (the ACK granting more was lost, or a stale one opened the
            // stream): probe on the timer for a fresh ACK, or the stream stalls for good.
            s.rtoDeadline = now + s.rtoMillis;
        }
    }

    private void sendOpen(OutStream s) {
        buf.clear();
        FrameCodec.open(buf, s.key.lane(), epoch, s.ackedSeq, s.committedSeq);
        transmit(s.key.peer());
        s.openSent = true;
    }

    private void requestLoad(OutStream s) {
        if (s.loading || s.cache.size() >= cfg.outboundCache()) return;
        s.loading = true;
        out.load(s.key, s.cache.nextSeq(), cfg.outboundCache() - s.cache.size());
    }

    /** Sends one DATA frame starting at {@code sentUpTo+1}, with as many messages up to {@code last} as fit. */
    private void transmitData(long now, OutStream s, long last) {
        buf.clear();
        long first = s.sentUpTo + 1;
        int countAt = FrameCodec.beginData(buf, s.key.lane(), epoch, first);
        int count = 0;
        for (long seq = first; seq <= last; seq++) {
            OutStream.OutMessage m = s.cache.get(seq);
            StoredMessage sm = m.stored;
            boolean expired = sm.expiresAtMillis() != 0 && sm.expiresAtMillis() <= now;
            Map<String, String> headers = expired ? Map.of() : sm.headers();
            byte[] payload = expired ? EMPTY : sm.payload();
            int size = FrameCodec.messageSize(headers, payload.length);
            if (count > 0 && buf.position() + size > Math.min(buf.capacity(), EngineConfig.DATA_FRAME_TARGET)) break;
            int flags = (m.transmissions > 0 || seq <= s.recoveredUpTo ? Frame.Message.REDELIVERY : 0)
                    | (expired ? Frame.Message.EXPIRED : 0);
            FrameCodec.message(buf, flags, sm.expiresAtMillis(), headers, payload);
            m.transmissions++;
            count++;
        }
        FrameCodec.endData(buf, countAt, count);
        s.sentUpTo += count;
        s.sent += count;
        transmit(s.key.peer());
    }

    private static final byte[] EMPTY = new byte[0];

    private void transmit(NodeId peer) {
        buf.flip();
        out.transmit(peer, buf);
    }

    private boolean peerConnected(NodeId peer) {
        return peers.connected(peer);
    }

    private void ping(long now, PeerTable.Peer p) {
        buf.clear();
        FrameCodec.ping(buf, now);
        transmit(p.id);
        PeerTable.pinged(p, now);
    }

    private void pong(NodeId to, long sentAt) {
        buf.clear();
        FrameCodec.pong(buf, sentAt);
        transmit(to);
    }

    private void onPong(long now, PeerTable.Peer p, Frame.Pong g) {
        String lie = p.ponged(now, g.sentAt());
        if (lie != null) protocolError(now, p.id, lie);
    }

    // ---- inputs: membership ---------------------------------------------------------------------------

    /**
     * The application added {@code peer} ({@code added}) or a discovery reported it, reachable at {@code
     * addresses}. An added peer that was removed is known again; a removed one is not rediscovered.
     */
    public void addPeer(NodeId peer, List<String> addresses, boolean added) {
        peers.add(peer, addresses, added);
    }

    /**
     * The application removed {@code peer}: it is treated as disconnected now, its frames and connections are
     * ignored and sends to it refused until it is added again. Its streams stay as they are, stored.
     */
    public PeerRemoval removePeer(long now, NodeId peer) {
        PeerTable.Peer p = peers.get(peer);
        boolean known = p != null && !p.removed;
        boolean wasConnected = p != null && p.connected;
        if (wasConnected) onPeerDown(now, peer);
        peers.remove(peer);
        long unacked = 0;
        int out = 0;
        int in = 0;
        for (OutStream s : outbound.values()) {
            if (s.key.peer().equals(peer)) {
                out++;
                unacked += s.unacked();
            }
        }
        for (InStream s : inbound.values()) {
            if (s.key.peer().equals(peer)) in++;
        }
        return new PeerRemoval(peer, known, wasConnected, unacked, out, in);
    }

    /** A discovery lost {@code peer}; it is forgotten if nothing else (streams, a known epoch) keeps it known. */
    public void lostPeer(NodeId peer) {
        PeerTable.Peer p = peers.get(peer);
        if (p == null) return;
        boolean state = p.knownEpoch != 0;
        for (StreamKey k : outbound.keySet()) state |= k.peer().equals(peer);
        for (StreamKey k : inbound.keySet()) state |= k.peer().equals(peer);
        peers.lost(peer, state);
    }

    /** Whether sends to {@code peer} are accepted: it is known and not removed. */
    public boolean knows(NodeId peer) {
        return peers.refuseSend(peer) == null;
    }

    /** Input: a membership message from {@code peer} was invalid; counted and reported as a protocol error. */
    public void onInvalidMembership(long now, NodeId peer, String reason) {
        protocolError(now, peer, reason);
    }

    /**
     * Input: the transport refused a connection; counted, reported unless events are being rate-limited (see
     * {@link EventThrottle}), no stream state changes.
     */
    public void onConnectionRejected(long now, String remote, String reason) {
        connectionsRejected++;
        TetherEvent.ConnectionRejected e = rejections.offer(now, remote, reason);
        if (e != null) out.event(e);
    }

    /**
     * Counted always; reported unless events are being rate-limited (see {@link EventThrottle}): a store that
     * fails every retry must not flood the listener and the log.
     */
    private void storeFailure(long now, String reason) {
        storeFailures++;
        TetherEvent.StoreFailure e = storeFailureEvents.offer(now, null, reason);
        if (e != null) out.event(e);
    }

    /** Counted always; reported unless events are being rate-limited (see {@link EventThrottle}). */
    private void protocolError(long now, NodeId peer, String reason) {
        protocolErrors++;
        TetherEvent.ProtocolError e = protocolErrorEvents.offer(now, peer, reason);
        if (e != null) out.event(e);
    }

    // ---- queries --------------------------------------------------------------------------------------

    /** How far the receiver of outbound stream {@code key} has taken care of it (0 for an unknown stream). */
    public long ackedSeq(StreamKey key) {
        OutStream s = outbound.get(key);
        return s == null ? 0 : s.ackedSeq;
    }

    /** Messages sent by this node and not yet taken care of by their receivers, per peer. */
    public Map<NodeId, Long> unackedByPeer() {
        Map<NodeId, Long> m = new HashMap<>();
        for (OutStream s : outbound.values()) {
            if (s.unacked() > 0) m.merge(s.key.peer(), s.unacked(), Long::sum);
        }
        return m;
    }

    /** True when no store batch is being committed and none is waiting to start. */
    public boolean storeIdle() {
        return inFlight.isEmpty() && !hasWritesPending();
    }

    /** Store batches handed to {@code persist} and not yet answered. */
    public int batchesInFlight() {
        return inFlight.size();
    }

    /** Messages held in memory: cached outbox pages, sends waiting for a batch, and receive buffers. */
    public long messagesInMemory() {
        long n = 0;
        for (OutStream s : outbound.values()) n += s.cache.size() + s.pending.size();
        for (InStream s : inbound.values()) n += s.buffer.size();
        return n;
    }

    /** Every known peer that is not removed, sorted by id. */
    public List<PeerInfo> peerInfos() {
        return peers.infos(unackedByPeer());
    }

    public List<NodeId> connectedPeers() {
        return peers.connectedIds();
    }

    public long connectionsRejected() {
        return connectionsRejected;
    }

    public long protocolErrors() {
        return protocolErrors;
    }

    public long storeFailures() {
        return storeFailures;
    }

    /** Per-stream counters, outbound streams first. */
    public List<StreamStats> streamStats() {
        List<StreamStats> l = new ArrayList<>();
        for (OutStream s : outbound.values()) {
            l.add(new StreamStats(
                    s.key.peer(),
                    s.key.lane(),
                    StreamStats.Direction.OUTBOUND,
                    s.ackedSeq,
                    s.lastSeq,
                    s.committedSeq - s.sentUpTo + s.pending.size(),
                    s.sentUpTo - s.ackedSeq,
                    s.sent,
                    s.retransmitted,
                    0,
                    0,
                    0,
                    0,
                    0,
                    s.diverged));
        }
        for (InStream s : inbound.values()) {
            l.add(new StreamStats(
                    s.key.peer(),
                    s.key.lane(),
                    StreamStats.Direction.INBOUND,
                    s.processed,
                    s.receivedUpTo,
                    0,
                    s.receivedUpTo - s.processed,
                    0,
                    0,
                    s.delivered,
                    s.redelivered,
                    s.duplicates,
                    s.deadLettered,
                    s.expired,
                    s.blocked));
        }
        return l;
    }
}
