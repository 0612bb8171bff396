package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which connection is current for each peer, who dials whom and when, and every listener call. All methods
 * except {@link #connection} run on the transport's single I/O thread, so listener calls are made one at a
 * time, in the order the events happened (Transport rule 5), and none of this state needs locks.
 *
 * <p>One connection per pair: when two connections between the same nodes complete their handshakes, the
 * one dialed by the node with the smaller id wins; a node with the smaller id that is dialing refuses the
 * other's inbound connection as a duplicate. A newer connection dialed by the same side replaces an older
 * one (the peer reconnected before this node noticed the old connection die). Replacing reports down, then
 * up; the old connection's frames are no longer reported from that moment (rule 4). An accepted connection
 * is only reserved until its dialer confirms it took it, so the acceptor never reports up for a connection
 * the dialer abandoned (for example because it lost the tie-break on its side).
 *
 * <p>Dialing: configured peers and peers the node asks for ({@link #connect}) are dialed and redialed by id;
 * seeds are dialed by address until a handshake tells their id, after which they are redialed by id like the
 * others. A peer this node refused to admit on its own dial, or that it was told to {@link #disconnect}, is not
 * dialed again until {@link #connect} names it. A seed that turns out to be this node is dropped silently.
 */
public final class PeerRegistry {
    private static final System.Logger LOG = System.getLogger(PeerRegistry.class.getName());

    /**
     * Opens a connection to {@code peer} at {@code address}, or to a seed ({@code peer} null) whose id the handshake
     * will tell; the registry watches the returned channel's close.
     */
    public interface Dialer {
        Channel dial(NodeId peer, SocketAddress address);
    }

    /** Reconnect state of a peer to dial (by id), or of a seed (by address, {@code peer} null). */
    private static final class DialState {
        final NodeId peer;
        List<SocketAddress> addresses;
        int next;
        int attempt;
        Channel pending;
        ScheduledFuture<?> timer;
        /** Not dialed until {@link #connect}: disconnected, refused by this node, or a seed found to be this node. */
        boolean stopped;
        /** A learnt member reported lost: redialed at the slow lost-member interval until it is back or relearnt. */
        boolean lost;

        DialState(NodeId peer, List<SocketAddress> addresses) {
            this.peer = peer;
            this.addresses = addresses;
        }

        /** The address of the next attempt; addresses are tried in turn. */
        SocketAddress address() {
            return addresses.get(next++ % addresses.size());
        }
    }

    private final NodeId self;
    private final Transport.Listener listener;
    private final EventLoop loop;
    /** The configured peers: never slowed down as lost members. */
    private final Set<NodeId> configured;

    private final Backoff backoff;
    private final Dialer dialer;
    private final Map<NodeId, Connection> current = new HashMap<>();
    /** Accepted connections waiting for their dialer's CONFIRM. */
    private final Map<NodeId, Connection> reserved = new HashMap<>();

    private final Map<NodeId, Connection> published = new ConcurrentHashMap<>();
    private final Map<NodeId, DialState> dials = new HashMap<>();
    private final Map<SocketAddress, DialState> seeds = new LinkedHashMap<>();
    /**
     * Nonces of this node's latest seed-dialing HELLOs: a HELLO carrying one is this node talking to itself. Kept
     * after the dial closes (the accepting end may read the HELLO later), the oldest dropped beyond 64.
     */
    private final java.util.ArrayDeque<byte[]> ownNonces = new java.util.ArrayDeque<>();

    private final MemberExchange members;
    private final AtomicLong rejections = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private boolean closed;

    public PeerRegistry(
            NodeId self,
            Transport.Listener listener,
            EventLoop loop,
            Backoff backoff,
            Map<NodeId, SocketAddress> peers,
            List<SocketAddress> seedAddresses,
            MemberExchange members,
            Dialer dialer) {
        this.self = self;
        this.listener = listener;
        this.loop = loop;
        this.backoff = backoff;
        this.dialer = dialer;
        this.members = members;
        peers.forEach((id, address) -> {
            if (!id.equals(self)) dials.put(id, new DialState(id, List.of(address))); // a shared list may name us
        });
        this.configured = Set.copyOf(peers.keySet());
        members.onLost(this::memberLost);
        members.knownPeers(id -> configured.contains(id) || dials.containsKey(id));
        for (SocketAddress a : seedAddresses) seeds.put(a, new DialState(null, List.of(a)));
    }

    public NodeId self() {
        return self;
    }

    /** The current connection to {@code peer}, or null; safe from any thread. */
    Connection connection(NodeId peer) {
        return published.get(peer);
    }

    /** Connections refused or closed for a protocol violation so far; safe from any thread. */
    public long rejections() {
        return rejections.get();
    }

    /** Invalid member lists, entries and addresses dropped so far; safe from any thread. */
    public long invalidMemberInput() {
        return members.invalidInput();
    }

    /** Listener calls that threw so far; safe from any thread. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /** Starts dialing every configured peer and seed. */
    public void start() {
        for (DialState ds : dials.values()) dial(ds);
        for (DialState ds : seeds.values()) dial(ds);
    }

    /** Reports the members learnt from member lists to {@code listener}, or stops reporting if null. */
    public void attachDiscovery(Discovery.Listener discovery) {
        members.attach(discovery);
    }

    /**
     * The node wants {@code peer}: forgets a refusal or disconnect, takes {@code addresses} (if any) as where to
     * dial it, unless it is a configured peer (its configured addresses win: a member list, even its own, may name
     * an address behind which a proxy or NAT does not forward), and dials it unless it is connected or being dialed.
     */
    public void connect(NodeId peer, List<? extends SocketAddress> addresses) {
        if (closed || peer.equals(self)) return;
        DialState ds = dials.get(peer);
        if (ds == null) {
            if (addresses.isEmpty()) return; // nowhere to dial: it may dial us
            ds = new DialState(peer, List.copyOf(addresses));
            dials.put(peer, ds);
        } else if (!addresses.isEmpty() && !configured.contains(peer)) { // a configured address always wins
            ds.addresses = List.copyOf(addresses);
            ds.next = 0;
        }
        ds.stopped = false;
        ds.lost = false;
        ds.attempt = 0;
        if (ds.timer != null) {
            ds.timer.cancel(false);
            ds.timer = null;
        }
        dial(ds);
    }

    /**
     * The member exchange reported {@code peer} lost (unconnected for {@code memberLostAfter}): unless it was
     * configured, it is redialed at the slow lost-member interval from now on, until it connects or {@link #connect}
     * is called for it again (a member list names it, or the node adds it).
     */
    void memberLost(NodeId peer) {
        DialState ds = dials.get(peer);
        if (ds != null && !configured.contains(peer)) ds.lost = true;
    }

    /** Whether {@code peer} is redialed at the slow lost-member interval (for tests). */
    boolean redialsSlowly(NodeId peer) {
        DialState ds = dials.get(peer);
        return ds != null && ds.lost;
    }

    /** The node removed {@code peer}: stop dialing it and close every connection with it. */
    public void disconnect(NodeId peer) {
        DialState ds = dials.get(peer);
        if (ds != null) stop(ds);
        Connection r = reserved.remove(peer);
        if (r != null) r.channel.close();
        Connection c = current.get(peer);
        if (c != null) c.channel.close(); // closed() reports down
    }

    private void stop(DialState ds) {
        ds.stopped = true;
        if (ds.timer != null) ds.timer.cancel(false);
        ds.timer = null;
        if (ds.pending != null) ds.pending.close();
    }

    /** Asks the node whether {@code peer} may connect; null admits it, else the reason for refusing it. */
    String admit(NodeId peer, PeerProof proof) {
        try {
            return listener.admit(peer, proof);
        } catch (RuntimeException e) {
            listenerFailures.incrementAndGet();
            LOG.log(Level.ERROR, self + ": transport listener threw deciding whether to admit " + peer, e);
            return "the node failed to decide whether to admit " + peer + ": " + e;
        }
    }

    /** This node refused the peer it dialed on {@code c}: dial it no more until {@link #connect} names it. */
    void refusedOwnDial(Connection c) {
        DialState ds = c.seed != null ? seeds.get(c.seed) : dials.get(c.peer);
        if (ds != null && ds.pending == c.channel) {
            ds.pending = null;
            stop(ds);
        }
    }

    /** Registers the nonce of a HELLO this node sends on a dial. */
    void ownNonce(byte[] nonce) {
        if (ownNonces.size() == 64) ownNonces.removeFirst();
        ownNonces.addLast(nonce);
    }

    /** Whether {@code nonce} is one this node sent: the HELLO comes from this node itself. */
    boolean isOwnNonce(byte[] nonce) {
        for (byte[] n : ownNonces) {
            if (java.util.Arrays.equals(n, nonce)) return true;
        }
        return false;
    }

    /** The seed dialed on {@code c} is this node itself: forget it quietly. */
    void seedIsSelf(Connection c) {
        DialState ds = seeds.remove(c.seed);
        if (ds != null) stop(ds);
    }

    /** A control record of {@code type} arrived on {@code c}; only its peer's current connection counts. */
    void control(Connection c, int type, byte[] body) {
        if (closed || current.get(c.peer) != c) return;
        if (type == Wire.CONTROL_MEMBERS) {
            members.received(c, body, current.values());
        } else {
            LOG.log(Level.DEBUG, () -> self + ": skipping control record of unknown type " + type + " from " + c);
        }
    }

    /** Stops dialing and reporting, and closes every connection. */
    public void shutdown() {
        closed = true;
        for (DialState ds : dials.values()) {
            if (ds.timer != null) ds.timer.cancel(false);
            if (ds.pending != null) ds.pending.close();
        }
        for (DialState ds : seeds.values()) {
            if (ds.timer != null) ds.timer.cancel(false);
            if (ds.pending != null) ds.pending.close();
        }
        for (Connection c : current.values()) c.channel.close();
        for (Connection c : reserved.values()) c.channel.close();
        current.clear();
        reserved.clear();
        published.clear();
    }

    // ---- handshake outcomes

    /**
     * An accepted connection passed its handshake. Returns null if it may become the peer's connection (it is
     * then reserved until the dialer confirms, see {@link #confirmInbound}), otherwise why it is refused as a
     * duplicate.
     */
    String admitInbound(Connection c) {
        if (closed) return "the node is shutting down";
        DialState ds = dials.get(c.peer);
        boolean selfSmaller = self.compareTo(c.peer) < 0;
        if (selfSmaller && ds != null && ds.pending != null) {
            return "duplicate connection: " + self + " is dialing " + c.peer + " and the smaller id's dial wins";
        }
        Connection existing = current.get(c.peer);
        if (existing != null && existing.dialedBySelf && selfSmaller) {
            return "duplicate connection: " + self + " already has a connection it dialed to " + c.peer;
        }
        if (ds != null && ds.pending != null) ds.pending.close(); // the smaller id's inbound connection wins
        Connection older = reserved.put(c.peer, c);
        if (older != null) older.channel.close(); // the peer gave up on it and dialed again
        return null;
    }

    /**
     * The dialer of a reserved connection confirmed that it took the connection. Returns whether it is now
     * the peer's connection (up was reported). Waiting for the confirmation means an acceptor never reports up
     * for a connection its dialer abandoned in the meantime.
     */
    boolean confirmInbound(Connection c) {
        if (reserved.get(c.peer) != c) return false;
        reserved.remove(c.peer);
        if (closed) return false;
        Connection existing = current.get(c.peer);
        if (existing != null && existing.dialedBySelf && self.compareTo(c.peer) < 0) return false;
        install(c);
        return true;
    }

    /** A dialed connection was accepted by the peer. Returns whether it is now the peer's connection. */
    boolean admitDialed(Connection c) {
        if (c.seed != null) seedAnswered(c);
        DialState ds = dials.get(c.peer);
        if (ds != null && ds.pending == c.channel) {
            ds.pending = null;
            ds.attempt = 0;
        }
        if (closed) return false;
        Connection existing = current.get(c.peer);
        if (existing != null && !existing.dialedBySelf && !c.dialedBySmaller(self)) return false;
        install(c);
        return true;
    }

    /**
     * The seed dialed on {@code c} is {@code c.peer}: from now on it is dialed by id at the seed's address (unless
     * it is dialed already), and the seed itself no more.
     */
    private void seedAnswered(Connection c) {
        DialState seed = seeds.remove(c.seed);
        if (seed != null) {
            seed.pending = null; // its close is no longer the seed's business
            if (seed.timer != null) seed.timer.cancel(false);
        }
        if (!dials.containsKey(c.peer)) dials.put(c.peer, new DialState(c.peer, List.of(c.seed)));
    }

    private void install(Connection c) {
        c.established = true;
        DialState ds = dials.get(c.peer);
        if (ds != null) ds.lost = false; // back: a later loss of its connection is redialed at the usual pace
        Connection old = current.put(c.peer, c);
        if (old != null) {
            retire(old);
            old.channel.close();
            call(() -> listener.onPeerDown(c.peer));
        }
        members.connected(c, current.values()); // before publishing: the member list precedes every frame
        published.put(c.peer, c);
        call(() -> listener.onPeerUp(c.peer));
    }

    private void retire(Connection c) {
        published.remove(c.peer, c);
        Outbound out = c.outbound;
        if (out != null) out.close();
    }

    /** A frame arrived on {@code c}; it is reported only while {@code c} is its peer's current connection. */
    void deliver(Connection c, ByteBuffer frame) {
        if (!closed && current.get(c.peer) == c) call(() -> listener.onFrame(c.peer, frame));
    }

    /** Frames that arrived together on {@code c}, in order; reported as {@link #deliver(Connection, ByteBuffer)}. */
    void deliver(Connection c, List<ByteBuffer> frames) {
        if (frames.size() == 1) deliver(c, frames.get(0));
        else if (!closed && current.get(c.peer) == c) call(() -> listener.onFrames(c.peer, frames));
    }

    /** {@code c} was refused or closed for a protocol violation. */
    void rejected(Connection c, String reason) {
        rejections.incrementAndGet();
        LOG.log(Level.DEBUG, () -> self + ": connection " + c + " rejected: " + reason);
        if (!closed) {
            String remote = c.remote();
            call(() -> listener.onConnectionRejected(remote, reason));
        }
    }

    /** {@code c}'s channel closed. */
    void closed(Connection c) {
        if (c.peer != null && reserved.remove(c.peer, c) && !current.containsKey(c.peer)) {
            DialState ds = dials.get(c.peer);
            if (ds != null) scheduleDial(ds);
        }
        if (c.peer != null && current.get(c.peer) == c) {
            current.remove(c.peer);
            retire(c);
            members.disconnected(c.peer);
            if (!closed) call(() -> listener.onPeerDown(c.peer));
            DialState ds = dials.get(c.peer);
            if (ds != null) {
                ds.attempt = 0;
                scheduleDial(ds);
            }
        }
    }

    // ---- dialing

    private void dial(DialState ds) {
        ds.timer = null;
        if (closed || ds.stopped || ds.pending != null) return;
        if (ds.peer != null && (current.containsKey(ds.peer) || reserved.containsKey(ds.peer))) return;
        Channel channel = dialer.dial(ds.peer, ds.address());
        ds.pending = channel;
        channel.closeFuture().addListener(f -> dialClosed(ds, channel));
    }

    private void dialClosed(DialState ds, Channel channel) {
        if (ds.pending != channel) return; // established (or superseded): closed() handles it
        ds.pending = null;
        ds.attempt++;
        scheduleDial(ds);
    }

    private void scheduleDial(DialState ds) {
        if (closed || ds.stopped || ds.timer != null || ds.pending != null) return;
        long delay = ds.lost ? backoff.lostDelayNanos() : backoff.delayNanos(ds.attempt);
        ds.timer = loop.schedule(() -> dial(ds), delay, TimeUnit.NANOSECONDS);
    }

    private void call(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException e) {
            listenerFailures.incrementAndGet();
            LOG.log(Level.ERROR, self + ": transport listener threw", e);
        }
    }
}
