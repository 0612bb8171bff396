package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
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
 */
public final class PeerRegistry {
    private static final System.Logger LOG = System.getLogger(PeerRegistry.class.getName());

    /** Opens a connection to a configured peer; the registry watches the returned channel's close. */
    public interface Dialer {
        Channel dial(NodeId peer, InetSocketAddress address);
    }

    /** Reconnect state of a configured peer. */
    private static final class DialState {
        final InetSocketAddress address;
        int attempt;
        Channel pending;
        ScheduledFuture<?> timer;

        DialState(InetSocketAddress address) {
            this.address = address;
        }
    }

    private final NodeId self;
    private final Transport.Listener listener;
    private final EventLoop loop;
    private final Backoff backoff;
    private final Dialer dialer;
    private final Map<NodeId, Connection> current = new HashMap<>();
    /** Accepted connections waiting for their dialer's CONFIRM. */
    private final Map<NodeId, Connection> reserved = new HashMap<>();

    private final Map<NodeId, Connection> published = new ConcurrentHashMap<>();
    private final Map<NodeId, DialState> dials = new HashMap<>();
    private final AtomicLong rejections = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private boolean closed;

    public PeerRegistry(
            NodeId self,
            Transport.Listener listener,
            EventLoop loop,
            Backoff backoff,
            Map<NodeId, InetSocketAddress> peers,
            Dialer dialer) {
        this.self = self;
        this.listener = listener;
        this.loop = loop;
        this.backoff = backoff;
        this.dialer = dialer;
        peers.forEach((id, address) -> {
            if (!id.equals(self)) dials.put(id, new DialState(address)); // a shared peer list may name us
        });
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

    /** Listener calls that threw so far; safe from any thread. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /** Starts dialing every configured peer. */
    public void start() {
        for (NodeId peer : dials.keySet()) dial(peer);
    }

    /** Stops dialing and reporting, and closes every connection. */
    public void shutdown() {
        closed = true;
        for (DialState ds : dials.values()) {
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

    private void install(Connection c) {
        c.established = true;
        Connection old = current.put(c.peer, c);
        if (old != null) {
            retire(old);
            old.channel.close();
            call(() -> listener.onPeerDown(c.peer));
        }
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
            if (ds != null) scheduleDial(c.peer, ds);
        }
        if (c.peer != null && current.get(c.peer) == c) {
            current.remove(c.peer);
            retire(c);
            if (!closed) call(() -> listener.onPeerDown(c.peer));
            DialState ds = dials.get(c.peer);
            if (ds != null) {
                ds.attempt = 0;
                scheduleDial(c.peer, ds);
            }
        }
    }

    // ---- dialing

    private void dial(NodeId peer) {
        DialState ds = dials.get(peer);
        ds.timer = null;
        if (closed || current.containsKey(peer) || reserved.containsKey(peer) || ds.pending != null) return;
        Channel channel = dialer.dial(peer, ds.address);
        ds.pending = channel;
        channel.closeFuture().addListener(f -> dialClosed(peer, ds, channel));
    }

    private void dialClosed(NodeId peer, DialState ds, Channel channel) {
        if (ds.pending != channel) return; // established (or superseded): closed() handles it
        ds.pending = null;
        ds.attempt++;
        scheduleDial(peer, ds);
    }

    private void scheduleDial(NodeId peer, DialState ds) {
        if (closed || ds.timer != null || ds.pending != null) return;
        long delay = backoff.delayNanos(ds.attempt);
        ds.timer = loop.schedule(() -> dial(peer), delay, TimeUnit.NANOSECONDS);
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
