package dev.tether.internal.engine;

import dev.tether.ChannelOptions;
import dev.tether.Channels;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.PeerRemoval;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.UnknownPeerException;
import dev.tether.spi.ChannelEntry;
import dev.tether.spi.KeyValue;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sans-I/O protocol engine of one node: state in, inputs with the current time, effects out through an
 * {@link EngineOutput}. It has no threads, sockets, storage or clocks, so a test or a simulator can step it
 * deterministically. Not thread-safe: one owner thread calls every method.
 *
 * <p>It coordinates four units: {@link Senders} (the outbound streams), {@link Receivers} (the inbound streams),
 * {@link StoreBatches} (group commit of what both have to store) and {@link Statistics}, with {@link PeerTable}
 * for membership: who is known, connected and resumed. Inputs are the {@code on*} methods and {@link #send};
 * each only records what became due. After a burst of inputs the owner calls {@link #endTurn}, which does the
 * due work in bulk. See docs/PROTOCOL.md.
 */
public final class Engine {
    private static final StoredChannels NO_CHANNELS = new StoredChannels(List.of(), List.of());

    private final EngineConfig cfg;
    private final long epoch;
    private final long bootId;
    private final EngineOutput out;
    private final FrameWriter frames;
    private final Statistics stats;
    private final PeerTable peers;
    private final Senders senders;
    private final Receivers receivers;
    private final StoreBatches batches;
    private final SharedLogs logs;
    private final LoopbackLinks loopback;
    private final RoundTrips roundTrips;
    private final InboundFrames inbound;
    private final DeadLetterQueue deadLetters;
    private final PeerChanges peerChanges;

    /** An engine whose boot id is its store epoch (tests that restart no process with volatile streams). */
    public Engine(EngineConfig cfg, StoredState state, EngineOutput out) {
        this(cfg, state, NO_CHANNELS, Map.of(), out, state.epoch(), EngineConfig.DEFAULT_MAX_VOLATILE_BYTES);
    }

    /**
     * An engine for one process incarnation: {@code bootId} (never 0, random) must differ from every earlier
     * process's on this node, as peers tell restarts apart by it; volatile outbound messages hold up to {@code
     * maxVolatileBytes} until acknowledged. {@code channels}: the shared logs this node publishes on and their
     * readers, whose streams continue from their stored cursors ({@link dev.tether.spi.Store#readChannels}); {@code
     * retained}: what each log holds, by channel, so that retention by bytes and age goes on after a restart ({@link
     * dev.tether.spi.Store#readChannelIndex}).
     */
    public Engine(
            EngineConfig cfg,
            StoredState state,
            StoredChannels channels,
            Map<String, List<ChannelEntry>> retained,
            EngineOutput out,
            long bootId,
            long maxVolatileBytes) {
        if (bootId == 0) throw new IllegalArgumentException("bootId must not be 0");
        this.cfg = cfg;
        this.bootId = bootId;
        this.epoch = state.epoch();
        this.out = out;
        this.frames = new FrameWriter(cfg.maxFrameBytes(), out);
        this.stats = new Statistics(out);
        this.roundTrips = new RoundTrips(frames, stats);
        this.peers = new PeerTable(cfg.self(), cfg.peers(), state);
        this.loopback = new LoopbackLinks(cfg, epoch, bootId, out);
        this.senders = new Senders(
                cfg, epoch, bootId, maxVolatileBytes, out, frames, peers, stats, loopback, state.outbound());
        this.deadLetters = new DeadLetterQueue(out);
        this.receivers = new Receivers(cfg, out, frames, peers, stats, loopback, deadLetters, state.inbound());
        loopback.bind(receivers);
        this.logs = new SharedLogs(cfg, out, senders, channels, retained);
        this.batches = new StoreBatches(cfg, out, stats, senders, receivers, peers, logs, deadLetters);
        receivers.ahead.writer(batches::writeKeys);
        this.peerChanges = new PeerChanges(peers, senders.queries, receivers.queries, frames);
        this.inbound = new InboundFrames(cfg, out, frames, stats, peers, senders, receivers, logs, roundTrips);
    }

    /**
     * Compresses DATA messages for peers that decompress {@code compression}'s codec, decompresses what peers compressed
     * and states its codecs in HELLO (docs/PROTOCOL.md, "Compression"); set before the first input (tests change it
     * between connections to play a process that gained or lost a codec).
     */
    public void compression(WireCompression compression) {
        frames.compression = compression;
    }

    /** What {@link #compression} set, and its counters. */
    public WireCompression compressionInUse() {
        return frames.compression;
    }

    /** The history recorder: off until {@link HistoryRecorder#start}, before the first input. */
    public HistoryRecorder history() {
        return batches.history();
    }

    public long epoch() {
        return epoch;
    }

    /** This process's incarnation, stated in HELLO. */
    public long bootId() {
        return bootId;
    }

    /** The dead-letter queue: bounds and stored index, restored before the first input; removals; statistics. */
    public DeadLetterQueue deadLetters() {
        return deadLetters;
    }

    /** Messages completed ahead by concurrent consumers: reported ({@code completed}), restored, counted. */
    public AheadMarks completedAhead() {
        return receivers.ahead;
    }

    // ---- the turn ------------------------------------------------------------------------------------

    /**
     * The end of a burst of inputs: everything they made due happens now, in bulk. Group commit first (a store
     * batch with the waiting sends, trims, cursors and dead letters); then committed messages of loopback streams go
     * to their receiving halves, and the inbound streams expire, deliver and acknowledge (their cursor moves go into
     * a batch at once; their ACKs go out together, one frame per peer); then the outbound streams open and transmit
     * within credit; then peers whose streams have all opened are reported resumed; then one flush for all the frames
     * of the turn.
     */
    public void endTurn(long now) {
        senders.commitVolatile(now);
        batches.startDue(now);
        loopback.serveDue(now);
        if (receivers.hasWrites()) batches.startDue(now);
        List<Effect> volatileEffects = receivers.takeVolatileEffects();
        if (!volatileEffects.isEmpty()) {
            senders.volatileEffects(volatileEffects);
            senders.commitVolatile(now);
            loopback.serveDue(now); // volatile replies to this node's own calls
        }
        frames.flushAcks(); // one ACK frame per peer, ahead of the DATA: its credit lets the peer send on
        senders.pumpDue(now);
        logs.reportMissed();
        if (peers.resumePending()) {
            for (NodeId p : peers.resumed(senders.queries::streamsOpen)) out.event(new TetherEvent.PeerResumed(p));
        }
        out.flush();
    }

    // ---- inputs: the application ---------------------------------------------------------------------

    /**
     * Queues a message for the next store batch; {@code token} identifies it in {@code accepted/rejected} and may be
     * any value but {@code Long.MIN_VALUE}, which marks the appends of {@link Effect}s.
     */
    public void send(
            long now, long token, NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt) {
        send(now, token, null, to, lane, headers, payload, expiresAt, -1, 0);
    }

    /**
     * As {@link #send(long, long, NodeId, String, Map, byte[], long)}, through {@code known}, the stream an earlier send
     * to {@code to} and {@code lane} returned (null if none did), which spares looking it up; returns the stream of
     * {@code to} and {@code lane} (null if the send was refused before one was found). {@code headersBytes}: the
     * headers' encoded size ({@link FrameCodec#headersSize}) if the caller computed it already, else -1 (computed
     * here): the node thread need not walk the headers again for it. {@code withoutSeq}: the message's checksum without
     * its sequence number ({@link dev.tether.spi.MessageChecksum#withoutSeq}) if the caller computed it, else 0
     * (computed here when the message is numbered): the node thread then adds the sequence number's part only.
     */
    public OutboundRef send(
            long now,
            long token,
            OutboundRef known,
            NodeId to,
            String lane,
            Map<String, String> headers,
            byte[] payload,
            long expiresAt,
            int headersBytes,
            long withoutSeq) {
        String refusal = peers.refuseSend(to);
        if (refusal != null) {
            out.rejected(token, new UnknownPeerException(refusal));
            return known;
        }
        if (known == null && Channels.isChannelLane(lane)) { // a stream handed out is never a channel's
            out.rejected(
                    token, new InvalidIdException("lane '" + lane + "' carries a channel: publish on the channel"));
            return null;
        }
        OutStream s = known != null ? (OutStream) known : senders.stream(new StreamKey(to, lane));
        senders.send(token, s, headers, payload, expiresAt, headersBytes, withoutSeq);
        return s;
    }

    /**
     * DROP_OLDEST: drops stream {@code key}'s oldest message never transmitted ({@link SenderDrops}); false if none. The
     * room is made at once; {@code outcome(DROPPED)} follows once the batch that stores the drop is durable.
     */
    public boolean dropOldest(long now, StreamKey key) {
        return senders.drops.dropOldest(key);
    }

    /** Before the first input: messages an earlier process dropped and left stored ({@link DroppedRows}). */
    public void restoreDropped(Map<StreamKey, long[]> records) {
        senders.drops.restore(records);
    }

    // ---- inputs: shared logs (channels) --------------------------------------------------------------

    /**
     * Queues a publish on {@code channel}'s log for the next store batch, stored once whatever the number of readers,
     * published at {@code now}; once stored, {@code accepted(token, (this node, the channel's lane), seq)} reports
     * its log sequence number, and every reader's stream transmits it.
     */
    public void publish(
            long now, long token, String channel, Map<String, String> headers, byte[] payload, long expiresAt) {
        logs.publish(channel, new PendingSend(token, headers, payload, expiresAt));
    }

    /**
     * Makes {@code reader} a reader of {@code channel}'s log, with its cursor after {@code afterSeq} (its first
     * message is {@code afterSeq + 1}), and returns the cursor: {@code afterSeq} clamped to what the log has committed
     * ({@link #LOG_END}: its end now) and still holds. Its reader row is stored with the next batch, its stream opens
     * with that cursor. A reader that is one already keeps its cursor, which is returned.
     */
    public long addReader(long now, String channel, NodeId reader, long afterSeq) {
        return logs.addReader(channel, reader, afterSeq);
    }

    /** Sets {@code channel}'s retention (CHANNELS-DESIGN section 4) for publishes numbered from now on. */
    public void channelOptions(long now, String channel, ChannelOptions options) {
        logs.options(channel, options);
    }

    /** The readers of this node's log of {@code channel}, in the order they were added (none: empty). */
    public List<NodeId> readers(String channel) {
        return logs.readers(channel);
    }

    /** {messages, payload bytes} {@code channel}'s log holds: stored, being stored or queued for a batch. */
    public long[] logHeld(String channel) {
        return logs.held(channel);
    }

    /**
     * Per log this node has (by channel): {messages this process stored in it, messages it holds, publishes its own
     * check refused (a limit lowered after the caller's admission)}.
     */
    public Map<String, long[]> logCounts() {
        return logs.counts();
    }

    /** {@link #addReader}: start after the last message the log has committed. */
    public static final long LOG_END = Long.MAX_VALUE;

    /**
     * Removes {@code reader} from {@code channel}'s readers: its stream stops, its reader row is deleted with the next
     * batch, and the log may be trimmed past its cursor. False if it was no reader.
     */
    public boolean removeReader(long now, String channel, NodeId reader) {
        return logs.removeReader(channel, reader);
    }

    /** {@link Settlement#retryAfterMillis()}: the retry policy's backoff. */
    public static final long RETRY_PER_POLICY = -1;

    /** The application settled a run handed out by {@code deliver}, as {@code settlement} says. */
    public void onSettled(long now, Settlement settlement) {
        receivers.onSettled(now, settlement, null);
    }

    /** As {@link #onSettled(long, Settlement)}; {@code at}: the stream the run was delivered on (no lookup), or null. */
    public void onSettled(long now, Settlement settlement, InboundRef at) {
        receivers.onSettled(now, settlement, at);
    }

    /**
     * The run handed out by {@code deliver} ended before message {@code expiredSeq}, whose time to live had run
     * out when it was about to be handed to the application: every message up to {@code ackedUpTo} is processed,
     * {@code expiredSeq} was not handed out and is settled as expired, and so were none after it.
     */
    public void onExpiredInRun(
            long now, StreamKey key, long generation, long ackedUpTo, long expiredSeq, List<Effect> effects) {
        receivers.onExpiredInRun(key, generation, ackedUpTo, expiredSeq, effects);
    }

    /**
     * The run handed out by {@code deliver} ended at {@code seq}, which a pattern layer settled without processing it:
     * every message up to {@code ackedUpTo} is processed, {@code seq} is settled, and its sender's {@code processed()}
     * completes with {@code outcome} after the commit: {@code NO_SUCH_HANDLER} (a call of a handler this node does not
     * have, OUTCOME 3), {@code CANCELLED} (its sender withdrew it, {@link #cancel}, before it was started; OUTCOME 4),
     * {@code NO_SUCH_ENDPOINT} (OUTCOME 5) or {@code DROPPED} (by a routing rule, or a channel join this node's
     * allow-list refuses; OUTCOME 6).
     */
    public void onNotTaken(
            long now, StreamKey key, long generation, long ackedUpTo, long seq, Outcome outcome, List<Effect> effects) {
        receivers.onNotTaken(key, generation, ackedUpTo, seq, Frame.OutcomeNotice.of(outcome), effects);
    }

    /**
     * As {@link #onNotTaken}, for a message a routing rule dead-letters at once, whatever the failure policy (OUTCOME
     * 2); {@code withIt}, its own effects (copies), are stored with it, or never if a full queue refuses it (REFUSE).
     */
    public void onDeadLetterInRun(
            long now,
            StreamKey key,
            long generation,
            long ackedUpTo,
            long seq,
            String reason,
            List<Effect> effects,
            List<Effect> withIt) {
        receivers.onDeadLetterInRun(now, key, generation, ackedUpTo, seq, reason, effects, withIt);
    }

    /**
     * Withdraws message {@code seq} of outbound stream {@code key} (a cancelled call): from now on it is transmitted
     * as a CANCELLED marker, and if it was transmitted already a CANCEL frame tells the receiver, which settles it
     * as {@code Outcome.CANCELLED} if it has not handed it out, else tells its application. On a stored stream this
     * happens once the withdrawal's mark, written with the next batch, is durable, and the message is held back until
     * then ({@link SenderWithdrawals}); a restart keeps it ({@link #restoreWithdrawn}). A CANCEL is sent again until
     * the acknowledgment passes the message; a volatile stream's withdrawal is forgotten when this node restarts.
     */
    public void cancel(long now, StreamKey key, long seq) {
        senders.withdrawals.cancel(now, key, seq);
    }

    /** Before the first input: the withdrawal marks an earlier process stored ({@link WithdrawnMarks#NAMESPACE}). */
    public void restoreWithdrawn(List<KeyValue> marks) {
        senders.withdrawals.restore(marks);
    }

    /**
     * An operator purges the outbound streams {@code peer} and {@code lane} select (null: any): their committed,
     * unacknowledged messages complete as {@code Outcome.PURGED}, the next batch trims them, and connected receivers
     * are told to move past them. Returns {streams purged, messages purged}.
     */
    public long[] purge(long now, NodeId peer, String lane) {
        return senders.purge(now, peer, lane);
    }

    /** Messages of a run out acknowledged up to {@code ackedUpTo}, with their {@code effects}: the cursor advances. */
    public void onProgress(long now, StreamKey key, long generation, long ackedUpTo, List<Effect> effects) {
        receivers.onProgress(key, null, generation, ackedUpTo, effects);
    }

    /** As {@link #onProgress(long, StreamKey, long, long, List)}; {@code at}: the run's stream (no lookup), or null. */
    public void onProgress(long now, StreamKey key, InboundRef at, long generation, long upTo, List<Effect> effects) {
        receivers.onProgress(key, at, generation, upTo, effects);
    }

    /**
     * Stores {@code effects} without a settlement: a pattern layer's own state in the key-value area (an event's
     * registry entry, put or deleted) and the messages that go with it (notices to other nodes), all in the next store
     * batch, group-committed with whatever else it holds, so after a crash they are stored together or not at all.
     * When that batch is durable, {@link EngineOutput#written} reports {@code token}; a failed batch's writes are
     * written again with a later one (in the same order, ahead of writes queued since), so a token is never
     * reported failed. Writes given in one turn, or in turns while a batch is in flight, share one batch. A
     * message to an unknown or removed peer is dropped and reported, as an effect of a settlement is.
     *
     * @throws IllegalArgumentException if a message effect is on a volatile lane (nothing of it would be stored)
     */
    public void writeKeys(long now, long token, List<Effect> effects) {
        batches.writeKeys(token, effects);
    }

    /**
     * The store writer asks for a batch at the end of this turn, even an empty one, even while batches are in flight:
     * it holds those until a batch cut after this call commits with them (transactional handlers, whose writes may
     * commit only with the cursors of their messages).
     */
    public void commitSoon(long now) {
        batches.commitSoon();
    }

    // ---- inputs: the transport -----------------------------------------------------------------------

    /**
     * The transport admitted {@code peer} and reports it connected; a peer it did not know becomes known as
     * admitted. Returns false, ignoring the connection, if the peer was removed: the owner closes it.
     */
    public boolean onPeerUp(long now, NodeId peer) {
        PeerTable.Peer p = peers.up(now, peer);
        if (p == null) return false;
        out.event(new TetherEvent.PeerConnected(peer));
        frames.hello(peer, cfg.self(), epoch, bootId);
        roundTrips.ping(now, p);
        senders.peerUp(peer);
        receivers.peerUp(peer);
        return true;
    }

    public void onPeerDown(long now, NodeId peer) {
        if (!peers.down(peer)) return;
        senders.peerDown(peer);
        out.event(new TetherEvent.PeerDisconnected(peer));
    }

    /** A frame arrived from {@code from}; malformed or unexpected frames are counted and reported. */
    public void onFrame(long now, NodeId from, ByteBuffer frame) {
        inbound.onFrame(now, from, frame);
    }

    /**
     * Input: the owner's monotonic clock now, in microseconds (at least 0), given before the inputs it applies to. Once
     * given, PINGs are stamped with it instead of the turn's milliseconds, so round trips are measured to the
     * microsecond; the owner then gives it before every input that may send a PING or handle a PONG (every turn and
     * every frame). A simulation that never gives it measures in milliseconds.
     */
    public void preciseTime(long micros) {
        roundTrips.preciseTime(micros);
    }

    /**
     * Input: the transport refused a connection; counted, reported unless events are being rate-limited (see
     * {@link EventThrottle}), no stream state changes.
     */
    public void onConnectionRejected(long now, String remote, String reason) {
        stats.connectionRejected(now, remote, reason);
    }

    /**
     * Input: the transport carries frames of at most {@code bytes} from now on (a NATS server's {@code max_payload}).
     * Frames are built within it; a message that cannot fit it even alone goes as an unsendable stand-in.
     */
    public void onFrameLimit(int bytes) {
        frames.limit(bytes);
    }

    /** Input: frames to {@code peer} carry at most {@code bytes} from now on (its carrier's), within the above. */
    public void onFrameLimit(NodeId peer, int bytes) {
        frames.limit(peer, bytes);
    }

    // ---- inputs: membership --------------------------------------------------------------------------

    /**
     * The application added {@code peer} ({@code added}) or a discovery reported it, reachable at {@code
     * addresses}. An added peer that was removed is known again; a removed one is not rediscovered.
     */
    public void addPeer(NodeId peer, List<String> addresses, boolean added) {
        peerChanges.add(peer, addresses, added);
    }

    /**
     * The application removed {@code peer}: it is treated as disconnected now, its frames and connections are
     * ignored and sends to it refused until it is added again. Its streams stay as they are, stored.
     */
    public PeerRemoval removePeer(long now, NodeId peer) {
        return peerChanges.remove(peer, p -> onPeerDown(now, p));
    }

    /** A discovery lost {@code peer}; it is forgotten if nothing else (streams, a known epoch) keeps it known. */
    public void lostPeer(NodeId peer) {
        peerChanges.lost(peer);
    }

    /** Input: the run out handed out messages up to {@code handedUpTo} and takes {@code max} more ({@link Receivers#extendRun}). */
    public List<InboundMessage> extendRun(long now, StreamKey key, long generation, long handedUpTo, int max) {
        return receivers.extendRun(now, key, generation, handedUpTo, max);
    }

    /** The store epoch {@code peer} introduced itself with (its HELLO, or stored from an earlier one); 0 if none. */
    public long peerEpoch(NodeId peer) {
        return peers.knownEpoch(peer);
    }

    /** Whether sends to {@code peer} are accepted: it is known and not removed. */
    public boolean knows(NodeId peer) {
        return peers.refuseSend(peer) == null;
    }

    /**
     * Input: a message from {@code peer} that the layer above found malformed (call headers that make no sense, a
     * membership report) was dropped; counted and reported as a protocol error, rate-limited like the others.
     */
    public void onInvalidMessage(long now, NodeId peer, String reason) {
        stats.protocolError(now, peer, reason);
    }

    // ---- inputs: the store ---------------------------------------------------------------------------

    /** Batch {@code batchId}, the oldest in flight, is durable: apply what it changes. */
    public void onCommitted(long now, long batchId) {
        batches.committed(now, batchId);
    }

    /**
     * Batch {@code batchId} was not stored. Every batch in flight behind it fails with it: the writer does not
     * attempt them (EngineOutput#persist), so the store holds exactly the batches before it. Their sends fail,
     * their numbers are free again, and their other writes go into a later batch.
     */
    public void onCommitFailed(long now, long batchId, Exception error) {
        batches.failed(now, batchId, error);
    }

    /** Outbox messages requested with {@code load} arrived. */
    public void onLoaded(long now, StreamKey key, List<StoredMessage> messages) {
        senders.onLoaded(now, key, messages);
    }

    public void onLoadFailed(long now, StreamKey key, Exception error) {
        senders.onLoadFailed(now, key, error);
    }

    // ---- inputs: time --------------------------------------------------------------------------------

    /**
     * Fires due timers: expiry of untransmitted messages, retransmissions, probes, outbox read retries, delayed
     * redeliveries, pings of connected peers, the dead-letter age sweep; reports held rate-limited events.
     */
    public void onTick(long now) {
        senders.tick(now);
        receivers.tick(now);
        logs.tick(now);
        for (PeerTable.Peer p : peers.pingsDue(now)) {
            // HELLO again with every ping: a lost HELLO would keep volatile streams closed on this connection.
            frames.hello(p.id, cfg.self(), epoch, bootId);
            roundTrips.ping(now, p);
        }
        stats.flushHeld(now);
    }

    // ---- queries -------------------------------------------------------------------------------------

    /** Questions about single outbound streams: how far acknowledged, what they hold, how often transmitted. */
    public OutboundQueries outbound() {
        return senders.queries;
    }

    /** Messages sent by this node and not yet taken care of by their receivers (or expired here), per peer. */
    public Map<NodeId, Long> unackedByPeer() {
        return senders.queries.addUnacked(new HashMap<>());
    }

    /** True when no store batch is being committed and none is waiting to start. */
    public boolean storeIdle() {
        return batches.idle();
    }

    /** Entries in the streams' timer queues (retransmission, read retry, delivery backoff); for tests of the bound. */
    int timersQueued() {
        return senders.timersQueued() + receivers.timersQueued();
    }

    /** Store batches handed to {@code persist} and not yet answered. */
    public int batchesInFlight() {
        return batches.inFlight();
    }

    /** Messages held in memory: cached outbox pages, sends waiting for a batch, and receive buffers. */
    public long messagesInMemory() {
        return senders.queries.messagesInMemory() + receivers.queries.messagesInMemory() + logs.messagesInMemory();
    }

    /** Every known peer that is not removed, sorted by id. */
    public List<PeerInfo> peerInfos() {
        return peers.infos(unackedByPeer());
    }

    public List<NodeId> connectedPeers() {
        return peers.connectedIds();
    }

    /** The codecs {@code peer}'s HELLO on the current connection stated ({@link Frame.Hello#codecs}), 0 if none. */
    int peerCodecs(NodeId peer) {
        return peers.codecs(peer);
    }

    /** The node-wide counters of what went wrong (see {@link Statistics}), as they are now. */
    public EngineCounters counters() {
        return stats.counters();
    }

    /** Per-stream counters, outbound streams first. */
    public List<StreamStats> streamStats() {
        List<StreamStats> l = new ArrayList<>();
        senders.queries.addStats(l);
        receivers.queries.addStats(l);
        return l;
    }
}
