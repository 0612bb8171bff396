package dev.tether.internal.management;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.OutboundMessage;
import dev.tether.PeerInfo;
import dev.tether.SendReceipt;
import dev.tether.StoreException;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import dev.tether.internal.runtime.NodeOperations;
import dev.tether.management.ChannelStatus;
import dev.tether.management.DeadLetterEntry;
import dev.tether.management.KickResult;
import dev.tether.management.MessageState;
import dev.tether.management.NoSuchDeadLetterException;
import dev.tether.management.NodeKickResult;
import dev.tether.management.NodeManagement;
import dev.tether.management.NodeStatistics;
import dev.tether.management.PeerStatus;
import dev.tether.management.PendingMessage;
import dev.tether.management.PurgeResult;
import dev.tether.management.RecentEvent;
import dev.tether.management.SubscriberStatus;
import dev.tether.management.Topology;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@link NodeManagement} of a running node: reads and changes go through {@link NodeOperations} (the node thread's
 * and the store thread's queues); the events it remembers ({@link EventLog}) are the node thread's.
 */
public final class ManagedNode implements NodeManagement {
    /** How many dead letters a replay or purge by id looks through. */
    static final int DEAD_LETTER_SCAN = 100_000;

    private static final long WAIT_SECONDS = 30;

    private final TetherNode node;
    private final NodeOperations ops;
    private final Clock clock;
    private final Instant startedAt;
    private final EventLog events = new EventLog();
    /** The channels this node joined, with their roles: a snapshot from the channel layer. */
    private final Supplier<Map<String, ChannelRole>> memberships;

    private final Kicks kicks;

    /** Kicks from channels and re-admissions, done by the channel layer. */
    public interface Kicks {
        /** {@link NodeManagement#kick}, completed once stored. */
        CompletableFuture<KickResult> kick(NodeId node, String channel);

        /** {@link NodeManagement#readmit}, completed once stored. */
        CompletableFuture<List<NodeId>> readmit(NodeId node, String channel);

        /** The nodes banned here, sorted, by channel. */
        Map<String, List<NodeId>> banned();

        /** {@link NodeManagement#kick(NodeId)}, completed once removed here. */
        CompletableFuture<NodeKickResult> kick(NodeId node);

        /** {@link NodeManagement#readmit(NodeId)}, completed once added here. */
        CompletableFuture<List<NodeId>> readmit(NodeId node);

        /** The nodes kicked from the cluster as far as this node knows, sorted. */
        List<NodeId> kickedNodes();
    }

    public ManagedNode(
            TetherNode node,
            NodeOperations ops,
            Clock clock,
            Supplier<Map<String, ChannelRole>> memberships,
            Kicks kicks) {
        this.node = node;
        this.ops = ops;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.memberships = memberships;
        this.kicks = kicks;
    }

    /** Node thread: an event of the node. */
    public void onEvent(TetherEvent e) {
        events.onEvent(clock.instant(), e);
    }

    @Override
    public Topology topology() {
        List<PeerInfo> peers = node.peers();
        NodeStats stats = node.stats();
        Map<NodeId, EventLog.Connections> conns = await(ops.onNodeThread((now, e) -> events.allConnections()));
        List<PeerStatus> out = new ArrayList<>(peers.size());
        for (PeerInfo p : peers) {
            EventLog.Connections c = conns.getOrDefault(p.id(), new EventLog.Connections());
            out.add(new PeerStatus(
                    p.id(),
                    p.origin(),
                    p.addresses(),
                    p.connected(),
                    p.connected() ? c.since : null,
                    c.count,
                    Math.max(0, c.count - 1),
                    p.lastSeen(),
                    p.roundTrip(),
                    p.unacknowledged(),
                    p.handlers(),
                    p.channels()));
        }
        Instant now = clock.instant();
        return new Topology(
                node.id(),
                stats.epoch(),
                startedAt,
                Duration.between(startedAt, now),
                out,
                ChannelViews.names(memberships.get()),
                kicks.kickedNodes());
    }

    @Override
    public List<ChannelStatus> channels() {
        return ChannelViews.channels(memberships.get(), node.stats().streams(), node.peers(), kicks.banned());
    }

    @Override
    public List<SubscriberStatus> subscribers(String channel) {
        Channels.requireValid(channel);
        return ChannelViews.subscribers(channel, node.stats().streams(), node.peers());
    }

    @Override
    public NodeStatistics statistics() {
        NodeStats s = node.stats();
        return new NodeStatistics(s, PeerTotals.of(s.streams()));
    }

    @Override
    public List<DeadLetterEntry> deadLetters(int max, boolean withPayloads) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, was " + max);
        List<DeadLetterEntry> l = new ArrayList<>();
        for (DeadLetter d : await(ops.deadLetters(max))) {
            l.add(new DeadLetterEntry(
                    DeadLetterIds.of(d),
                    d.from(),
                    d.lane(),
                    d.seq(),
                    d.headers(),
                    d.payload().length,
                    withPayloads ? d.payload().clone() : null,
                    d.attempts(),
                    d.reason(),
                    Instant.ofEpochMilli(d.atMillis())));
        }
        return l;
    }

    @Override
    public MessageId replayDeadLetter(String id, NodeId to, String lane) {
        WriteBatch.DeadLetterRemoval key = DeadLetterIds.parse(id);
        DeadLetter d = find(List.of(key)).get(0);
        OutboundMessage.Builder m = OutboundMessage.to(to).lane(lane).idempotencyKey("dlq-replay:" + id);
        for (Map.Entry<String, String> h : d.headers().entrySet()) {
            if (!h.getKey().startsWith(":")) m.header(h.getKey(), h.getValue()); // reserved ones are Tether's own
        }
        SendReceipt r = node.send(m.payload(d.payload()).build());
        MessageId sent = await(r.accepted());
        await(ops.removeDeadLetters(List.of(key)));
        return sent;
    }

    @Override
    public int purgeDeadLetters(List<String> ids) {
        List<WriteBatch.DeadLetterRemoval> keys = new ArrayList<>();
        for (String id : ids) keys.add(DeadLetterIds.parse(id));
        if (keys.isEmpty()) return await(ops.removeAllDeadLetters());
        List<DeadLetter> found = find(keys);
        // Through the engine, which keeps the index of the queue's bounds (DeadLetterLimits) exact, and counts each
        // dead letter once: an id given twice, or one a concurrent purge or replay takes first, is not counted here.
        return await(ops.removeDeadLetters(
                found.stream().map(WriteBatch.DeadLetterRemoval::of).toList()));
    }

    /** The dead letters {@code keys} name, in that order; throws if one is missing. */
    private List<DeadLetter> find(List<WriteBatch.DeadLetterRemoval> keys) {
        List<DeadLetter> all = await(ops.deadLetters(DEAD_LETTER_SCAN));
        List<DeadLetter> found = new ArrayList<>();
        for (WriteBatch.DeadLetterRemoval k : keys) {
            DeadLetter d = all.stream().filter(k::matches).findFirst().orElse(null);
            if (d == null) {
                throw new NoSuchDeadLetterException("no dead letter " + k.from() + "/" + k.lane() + "/"
                        + k.senderEpoch() + "/" + k.seq() + " on node " + node.id()
                        + " (replayed or purged already?); nothing was changed");
            }
            found.add(d);
        }
        return found;
    }

    @Override
    public List<HistoryEntry> history(HistoryQuery query) {
        return await(ops.history(Objects.requireNonNull(query, "query")));
    }

    @Override
    public HistoryStats historyStats() {
        return await(ops.historyStats());
    }

    @Override
    public List<PendingMessage> pending(NodeId peer, String lane, int max, boolean withPayloads) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, was " + max);
        StreamStats s = outbound(peer, lane);
        List<StoredMessage> stored = await(ops.readOutbox(peer, lane, s.cursor() + 1, max));
        long from = stored.isEmpty() ? 0 : stored.get(0).seq();
        int[] attempts = await(ops.transmissions(peer, lane, from, stored.size())); // the outbox has no gaps (rule 7)
        Instant now = clock.instant();
        List<PendingMessage> l = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            StoredMessage m = stored.get(i);
            Instant accepted = m.acceptedAtMillis() == 0 ? null : Instant.ofEpochMilli(m.acceptedAtMillis());
            l.add(new PendingMessage(
                    new MessageId(peer, lane, m.seq()),
                    m.payload().length,
                    m.headers(),
                    m.expiresAtMillis() == 0 ? null : Instant.ofEpochMilli(m.expiresAtMillis()),
                    accepted,
                    accepted == null ? null : max(Duration.ZERO, Duration.between(accepted, now)), // a clock step
                    m.seq() - from < attempts.length ? attempts[(int) (m.seq() - from)] : 0,
                    withPayloads ? m.payload().clone() : null));
        }
        return l;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public MessageState messageState(MessageId id) {
        StreamStats s = node.stats().streams().stream()
                .filter(x -> x.direction() == StreamStats.Direction.OUTBOUND
                        && x.peer().equals(id.to())
                        && x.lane().equals(id.lane()))
                .findFirst()
                .orElse(null);
        String where = s == null
                ? "this node has no stream to " + id.to() + " on lane " + id.lane()
                : "the stream's last sequence number is " + s.lastSeq() + ", acknowledged up to " + s.cursor();
        MessageState.Status status;
        if (s == null || id.seq() < 1 || id.seq() > s.lastSeq()) status = MessageState.Status.UNKNOWN;
        else if (id.seq() <= s.cursor()) status = MessageState.Status.ACKNOWLEDGED;
        else status = MessageState.Status.PENDING;
        return new MessageState(id, status, where);
    }

    @Override
    public PurgeResult purge(NodeId peer, String lane) {
        if (peer != null || lane != null) {
            boolean any = node.stats().streams().stream()
                    .anyMatch(x -> x.direction() == StreamStats.Direction.OUTBOUND
                            && (peer == null || x.peer().equals(peer))
                            && (lane == null || x.lane().equals(lane)));
            if (!any) throw noStream(peer, lane);
        }
        long[] r = await(ops.onNodeThread((now, e) -> e.purge(now, peer, lane)));
        return new PurgeResult((int) r[0], r[1]);
    }

    @Override
    public List<RecentEvent> recentEvents() {
        return await(ops.onNodeThread((now, e) -> events.recent()));
    }

    private StreamStats outbound(NodeId peer, String lane) {
        return node.stats().streams().stream()
                .filter(x -> x.direction() == StreamStats.Direction.OUTBOUND
                        && x.peer().equals(peer)
                        && x.lane().equals(lane))
                .findFirst()
                .orElseThrow(() -> noStream(peer, lane));
    }

    private UnknownPeerException noStream(NodeId peer, String lane) {
        return new UnknownPeerException("node " + node.id() + " has no outbound stream"
                + (peer == null ? "" : " to " + peer) + (lane == null ? "" : " on lane " + lane)
                + "; nothing was changed");
    }

    @Override
    public KickResult kick(NodeId node, String channel) {
        Objects.requireNonNull(node, "node");
        return await(kicks.kick(node, channel));
    }

    @Override
    public List<NodeId> readmit(NodeId node, String channel) {
        Objects.requireNonNull(node, "node");
        return await(kicks.readmit(node, channel));
    }

    @Override
    public NodeKickResult kick(NodeId node) {
        Objects.requireNonNull(node, "node");
        return await(kicks.kick(node));
    }

    @Override
    public List<NodeId> readmit(NodeId node) {
        Objects.requireNonNull(node, "node");
        return await(kicks.readmit(node));
    }

    /** Waits for {@code f} (answered by the node's or the store's thread), unwrapping its failure. */
    private <T> T await(CompletableFuture<T> f) {
        if (ops.onNodeThread() && !f.isDone()) {
            throw new IllegalStateException("management of node " + node.id() + " called on its node thread, which"
                    + " must answer it: call it from another thread");
        }
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new StoreException("management request failed: " + c, c);
        } catch (TimeoutException e) {
            throw new TetherException("node " + node.id() + " did not answer within " + WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetherException("interrupted while waiting for node " + node.id());
        }
    }
}
