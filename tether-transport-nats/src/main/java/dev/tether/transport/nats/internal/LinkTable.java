package dev.tether.transport.nats.internal;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which peers are up, on which link, and whether a received frame belongs to the current link: the session and
 * fencing logic of the NATS transport, free of any NATS code.
 *
 * <p>Vocabulary. While this node is attached to NATS it has a <em>connection session</em>, a positive 64-bit
 * value that changes on every (re)connect and grows with the attach time ({@link SessionIds}), so a message of a
 * peer's session older than the one we know is ignored rather than taken for a reconnect. Towards each peer it has at most one <em>link</em>, named by
 * two random non-zero 64-bit link ids, one chosen by each side. The pair (our link id, their link id) is the
 * "connection" of the {@link Transport} rules: a peer is up exactly while both ids are agreed, every frame carries
 * both, and a frame is delivered only if its ids are the current pair. Link ids are never reused: when a link
 * ends (timeout, goodbye, the peer's or our reconnect, a cut) both ids are retired and a later link gets fresh
 * ones, so a frame of an earlier link can never be delivered on a later one.
 *
 * <p>Handshake (HELLO carries the sender's link id x and the receiver's link id y as the sender knows it, or 0):
 * a node that hears an announcement of a peer it is not up with sends HELLO(mine, theirs-or-0). On HELLO(x, y):
 * a new x ends the current link (down) and is adopted; a missing own id is created; if y equals our id the link
 * is agreed (we reply HELLO(mine, x) so the peer can agree too, then report up), otherwise we reply HELLO(mine, x).
 * Four messages bring both sides up; replies are sent only on a change, so the exchange ends. If the last reply but
 * one is lost, its sender is up and we are not, and it ignores our repeated HELLO: a node that still holds the same
 * pair of ids without being up at a second announcement of the peer retires its own id and greets with a fresh one,
 * which ends the peer's half of the link and runs the handshake again ({@link PeerState#stalled}). The reply is
 * published before {@code onPeerUp}, so on the peer's side it precedes every frame we send on the new link (NATS
 * keeps one publisher's messages in order).
 *
 * <p>Admission (Transport rule 10). Before it answers a peer's announcement or HELLO while the peer is not up, the
 * table asks the listener to admit it, with the proof of the current session: {@link PeerProof#MEMBERSHIP} (the
 * peer holds credentials of the NATS account) or, when the server was found to enforce per-node permissions,
 * {@link PeerProof#IDENTITY}. A refusal is reported once and remembered: the peer's messages are ignored, so it never
 * comes up on either side, until {@link #allow} forgets the refusal.
 *
 * <p>Presence. The table also tells an attached {@link Discovery.Listener} which peers are present: heard from, and
 * not gone (goodbye, or silent for the peer timeout) since.
 *
 * <p>Threading: every method is thread-safe. State changes and listener calls happen under one lock, one at a
 * time, in the order the events were observed (rule 5); {@link #route} is lock-free for the send path. After
 * {@link #close} no listener call is made.
 */
public final class LinkTable {
    private static final System.Logger LOG = System.getLogger(LinkTable.class.getName());
    /** Retired ids remembered per peer; older ones cannot plausibly still be in flight. */
    static final int RETIRED_PER_PEER = 64;
    /** A down peer unheard for this many peer timeouts is forgotten, keeping the table bounded. */
    private static final int FORGET_AFTER_TIMEOUTS = 10;

    /** Publishes control messages for the table. Implementations never throw and never block indefinitely. */
    public interface Wire {
        /** Sends HELLO(fromLink, toLink) from our connection session {@code connection} to {@code peer}. */
        void hello(NodeId peer, long connection, long fromLink, long toLink);
    }

    /** The current link to an up peer, as the send path needs it. */
    public record Route(long connection, long myLink, long theirLink) {}

    private final NodeId self;
    private final Transport.Listener listener;
    private final Wire wire;
    private final long peerTimeoutNanos;
    private final SplittableRandom random;
    private final SessionIds sessions;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@code lock}. */
    private final Map<NodeId, PeerState> peers = new HashMap<>();
    /** Up peers; written under {@code lock}, read by senders without it. */
    private final Map<NodeId, Route> routes = new ConcurrentHashMap<>();
    /** Connection sessions of other nodes claiming our id that were already reported. Guarded by lock. */
    private final ArrayDeque<Long> twinsReported = new ArrayDeque<>();
    /** Told which peers are present, or null. Guarded by {@code lock}. */
    private Discovery.Listener presence;

    private final AtomicLong fenced = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong linksOpened = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicLong permissionViolations = new AtomicLong();
    private volatile long connection;
    /** What peers' messages prove in the current session. Written under {@code lock}. */
    private volatile PeerProof proof = PeerProof.MEMBERSHIP;

    private boolean closed;

    /**
     * @param random source of connection sessions and link ids (seeded in tests)
     */
    public LinkTable(
            NodeId self, Transport.Listener listener, Wire wire, long peerTimeoutNanos, SplittableRandom random) {
        this.self = self;
        this.listener = listener;
        this.wire = wire;
        this.peerTimeoutNanos = peerTimeoutNanos;
        this.random = random;
        this.sessions = new SessionIds(System::currentTimeMillis, random);
    }

    // ---- our own connection ----------------------------------------------------------------------------------

    /** Same as {@code startSession(PeerProof.MEMBERSHIP)}. */
    public long startSession() {
        return startSession(PeerProof.MEMBERSHIP);
    }

    /**
     * We are attached to NATS: starts a new connection session (ending any previous one) in which peers are
     * admitted with {@code proof}, and returns its value, or 0 if the table is closed.
     */
    public long startSession(PeerProof proof) {
        lock.lock();
        try {
            if (closed) return 0;
            endSessionLocked();
            long session = sessions.next();
            connection = session;
            this.proof = proof;
            return session;
        } finally {
            lock.unlock();
        }
    }

    /** We lost NATS: every peer goes down and every link id is retired. Idempotent. */
    public void endSession() {
        lock.lock();
        try {
            endSessionLocked();
        } finally {
            lock.unlock();
        }
    }

    private void endSessionLocked() {
        connection = 0;
        for (Map.Entry<NodeId, PeerState> e : peers.entrySet()) endLink(e.getKey(), e.getValue());
    }

    /** The current connection session, or 0 while detached. */
    public long connection() {
        return connection;
    }

    // ---- inbound messages ------------------------------------------------------------------------------------

    /** An announcement of {@code from}'s connection session {@code conn}. */
    public void onAnnounce(NodeId from, long conn, long now) {
        lock.lock();
        try {
            if (!accepting(from, conn)) return;
            PeerState p = observe(from, conn, now);
            if (p == null || p.up || !admitted(from, p)) return;
            if (p.stalled()) { // the peer is up on this pair and our agreeing HELLO was lost: start over
                p.retire(p.myLink);
                p.myLink = 0;
            }
            sayHello(from, p);
        } finally {
            lock.unlock();
        }
    }

    /** {@code from} says its connection session {@code conn} is ending. */
    public void onGoodbye(NodeId from, long conn) {
        lock.lock();
        try {
            if (!accepting(from, conn)) return;
            PeerState p = peers.get(from);
            if (p == null || p.blocked || p.connection != conn) return;
            endLink(from, p);
            p.retire(conn);
            p.connection = 0;
            gone(from, p);
        } finally {
            lock.unlock();
        }
    }

    /** A HELLO from {@code from}: its link id {@code x} and our link id as it knows it, {@code y} (0 if none). */
    public void onHello(NodeId from, long conn, long x, long y, long now) {
        lock.lock();
        try {
            if (!accepting(from, conn)) return;
            PeerState p = observe(from, conn, now);
            if (p == null || p.isRetired(x)) return;
            if (!p.up && !admitted(from, p)) return;
            if (x != p.theirLink) {
                if (p.up) endLink(from, p);
                else p.retire(p.theirLink);
                p.theirLink = x;
            }
            if (p.myLink == 0) p.myLink = newId();
            if (y != p.myLink) {
                wire.hello(from, connection, p.myLink, x);
            } else if (!p.up) {
                wire.hello(from, connection, p.myLink, x);
                goUp(from, p);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A frame from {@code from}: delivered to the listener if it belongs to the current link, otherwise dropped
     * and counted as fenced.
     *
     * @return whether the frame was delivered
     */
    public boolean onFrame(NodeId from, long conn, long fromLink, long toLink, ByteBuffer frame, long now) {
        lock.lock();
        try {
            PeerState p = closed || connection == 0 ? null : peers.get(from);
            if (p == null
                    || !p.up
                    || p.blocked
                    || conn != p.connection
                    || fromLink != p.theirLink
                    || toLink != p.myLink) {
                fenced.incrementAndGet();
                return false;
            }
            p.lastHeard = now;
            try {
                listener.onFrame(from, frame);
            } catch (RuntimeException e) {
                listenerFailed("frame from " + from, e);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Reports a message that is not valid on this transport's subjects: counted and told to the listener. */
    public void rejected(String remote, String reason) {
        tell(rejected, remote, reason);
    }

    /**
     * The NATS server refused a publish or subscription of this node for lack of permission (it acts under an id
     * its credentials do not grant, or the server's permissions do not match the transport's subjects): counted in
     * {@link #permissionViolations()} and told to the listener.
     */
    public void permissionViolation(String server, String reason) {
        tell(permissionViolations, server, reason);
    }

    /** Tells the listener about a problem with {@code remote} (a server) that is counted elsewhere. */
    public void report(String remote, String reason) {
        tell(null, remote, reason);
    }

    /**
     * Tells the listener the largest frame the server lets this node publish now ({@link
     * Transport.Listener#onFrameLimit}).
     */
    public void frameLimit(int bytes) {
        lock.lock();
        try {
            if (closed) return;
            try {
                listener.onFrameLimit(bytes);
            } catch (RuntimeException e) {
                listenerFailed("frame limit", e);
            }
        } finally {
            lock.unlock();
        }
    }

    private void tell(AtomicLong counter, String remote, String reason) {
        lock.lock();
        try {
            if (closed) return;
            if (counter != null) counter.incrementAndGet();
            try {
                listener.onConnectionRejected(remote, reason);
            } catch (RuntimeException e) {
                listenerFailed("report about " + remote, e);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- timers, cuts, close ---------------------------------------------------------------------------------

    /** Ends the links of peers not heard for the peer timeout and forgets peers gone for much longer. */
    public void expire(long now) {
        lock.lock();
        try {
            if (closed) return;
            Iterator<Map.Entry<NodeId, PeerState>> it = peers.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<NodeId, PeerState> e = it.next();
                PeerState p = e.getValue();
                long silent = now - p.lastHeard;
                if (silent <= peerTimeoutNanos || p.blocked) continue;
                if (p.connection != 0 || p.myLink != 0 || p.theirLink != 0) {
                    LOG.log(
                            Level.INFO,
                            "tether node " + self + ": nothing heard from " + e.getKey() + " for "
                                    + TimeUnit.NANOSECONDS.toMillis(silent) + " ms; its link ends");
                    endLink(e.getKey(), p);
                    p.connection = 0;
                    gone(e.getKey(), p);
                } else if (silent > FORGET_AFTER_TIMEOUTS * peerTimeoutNanos) {
                    gone(e.getKey(), p);
                    it.remove();
                } else {
                    gone(e.getKey(), p); // dropped by the node, then silent: not present either
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Cuts the link to {@code peer} (down if up) and ignores everything from it until {@link #unblock}. */
    public void block(NodeId peer) {
        lock.lock();
        try {
            PeerState p = peers.computeIfAbsent(peer, id -> new PeerState());
            p.blocked = true;
            endLink(peer, p);
            p.connection = 0;
        } finally {
            lock.unlock();
        }
    }

    /** Lets {@code peer} connect again: the next announcement starts a new link. */
    public void unblock(NodeId peer) {
        lock.lock();
        try {
            PeerState p = peers.get(peer);
            if (p != null) p.blocked = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The node wants {@code peer} (Transport rule 11): a remembered refusal is forgotten, and if the peer was heard
     * recently a link handshake starts at once instead of at its next announcement.
     */
    public void allow(NodeId peer) {
        lock.lock();
        try {
            PeerState p = peers.get(peer);
            if (p == null || closed) return;
            p.refusal = null;
            if (!p.up && !p.blocked && p.connection != 0 && connection != 0 && admitted(peer, p)) sayHello(peer, p);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The node removed {@code peer} (Transport rule 11): the link ends here, and the peer is told with a HELLO
     * proposing a new link (which ends its side of the old one too). It links again only if the node admits it.
     */
    public void drop(NodeId peer) {
        lock.lock();
        try {
            PeerState p = peers.get(peer);
            if (p == null || closed) return;
            endLink(peer, p);
            if (connection != 0 && p.connection != 0 && !p.blocked) {
                p.myLink = newId();
                wire.hello(peer, connection, p.myLink, 0);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reports every present peer, then each change, to {@code listener}; null stops reporting. Once this returns no
     * call to the previous listener is in progress or follows.
     */
    public void attachPresence(Discovery.Listener listener) {
        lock.lock();
        try {
            presence = closed ? null : listener;
            if (presence == null) return;
            for (Map.Entry<NodeId, PeerState> e : peers.entrySet()) {
                if (e.getValue().present) report(l -> l.onDiscovered(e.getKey(), java.util.List.of()));
            }
        } finally {
            lock.unlock();
        }
    }

    /** No listener call is made once this returns; a call in progress on another thread has finished. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            connection = 0;
            routes.clear();
            presence = null;
        } finally {
            lock.unlock();
        }
    }

    // ---- queries ---------------------------------------------------------------------------------------------

    /** The current link to {@code peer}, or null if it is not up. Lock-free. */
    public Route route(NodeId peer) {
        return routes.get(peer);
    }

    /** Frames dropped because they did not belong to the current link of their sender. */
    public long fencedFrames() {
        return fenced.get();
    }

    /** Messages rejected as malformed, oversize or misplaced. */
    public long rejectedMessages() {
        return rejected.get();
    }

    /** Publishes and subscriptions the NATS server refused for lack of permission; see {@link #permissionViolation}. */
    public long permissionViolations() {
        return permissionViolations.get();
    }

    /** The proof peers are admitted with in the current (or last) session. */
    public PeerProof proof() {
        return proof;
    }

    /** Links that came up so far. */
    public long linksOpened() {
        return linksOpened.get();
    }

    /** Listener calls that threw. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    // ---- internals -------------------------------------------------------------------------------------------

    /** Whether a message from {@code from} can be acted on at all; reports another node using our id. */
    private boolean accepting(NodeId from, long conn) {
        if (closed || connection == 0) return false;
        if (!from.equals(self)) return true;
        if (conn != connection && !twinsReported.contains(conn)) {
            if (twinsReported.size() == RETIRED_PER_PEER) twinsReported.removeFirst();
            twinsReported.addLast(conn);
            rejected.incrementAndGet();
            try {
                listener.onConnectionRejected(
                        "nats node " + self, "another connection announces this node's id " + self);
            } catch (RuntimeException e) {
                listenerFailed("rejection of a twin", e);
            }
        }
        return false;
    }

    /** Whether the node admits {@code id}; a refusal is reported once and remembered. Under {@code lock}. */
    private boolean admitted(NodeId id, PeerState p) {
        if (p.refusal != null) return false;
        String reason;
        try {
            reason = listener.admit(id, proof);
        } catch (RuntimeException e) {
            listenerFailed("admission of " + id, e);
            reason = "the node failed to decide whether to admit " + id + ": " + e;
        }
        if (reason == null) return true;
        p.refusal = reason;
        rejected.incrementAndGet();
        try {
            listener.onConnectionRejected("nats node " + id, reason);
        } catch (RuntimeException e) {
            listenerFailed("rejection of " + id, e);
        }
        return false;
    }

    /** {@code id} said goodbye or timed out: no longer present. Under {@code lock}. */
    private void gone(NodeId id, PeerState p) {
        if (!p.present) return;
        p.present = false;
        report(l -> l.onLost(id));
    }

    private void report(java.util.function.Consumer<Discovery.Listener> call) {
        Discovery.Listener l = presence;
        if (l == null) return;
        try {
            call.accept(l);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "discovery listener of " + self + " threw; continuing", e);
        }
    }

    /**
     * Records that {@code from} is alive on connection session {@code conn}; a newer session ends the current
     * link. Returns null if the message must be ignored (blocked peer, retired or older session).
     */
    private PeerState observe(NodeId from, long conn, long now) {
        PeerState p = peers.computeIfAbsent(from, id -> new PeerState());
        if (p.blocked || p.isRetired(conn)) return null;
        if (conn < p.connection) return null; // a late message of an older session: fenced, the live one stays
        if (!p.present) {
            p.present = true;
            report(l -> l.onDiscovered(from, java.util.List.of()));
        }
        if (p.connection != conn) {
            if (p.connection != 0) {
                // The peer reconnected: every link of its previous connection is dead.
                p.retire(p.connection);
                endLink(from, p);
            }
            p.connection = conn;
        }
        p.lastHeard = now;
        return p;
    }

    private void sayHello(NodeId peer, PeerState p) {
        if (p.myLink == 0) p.myLink = newId();
        wire.hello(peer, connection, p.myLink, p.theirLink);
    }

    /** Ends the current link, if any: down if up, both link ids retired. */
    private void endLink(NodeId id, PeerState p) {
        if (p.up) {
            routes.remove(id);
            p.up = false;
            if (!closed) {
                try {
                    listener.onPeerDown(id);
                } catch (RuntimeException e) {
                    listenerFailed("down of " + id, e);
                }
            }
        }
        p.retire(p.myLink);
        p.retire(p.theirLink);
        p.myLink = 0;
        p.theirLink = 0;
    }

    private void goUp(NodeId id, PeerState p) {
        p.up = true;
        linksOpened.incrementAndGet();
        routes.put(id, new Route(connection, p.myLink, p.theirLink));
        try {
            listener.onPeerUp(id);
        } catch (RuntimeException e) {
            listenerFailed("up of " + id, e);
        }
    }

    private long newId() {
        long id;
        do id = random.nextLong();
        while (id == 0);
        return id;
    }

    private void listenerFailed(String what, RuntimeException e) {
        long n = listenerFailures.incrementAndGet();
        LOG.log(Level.ERROR, "listener of " + self + " threw on " + what + " (failure " + n + "); continuing", e);
    }
}
