package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Member lists over TCP (docs/TCP.md, "Member lists"): each end of a new connection sends the other its own
 * advertised addresses and the peers it is connected to; when a peer's addresses become known, every other
 * connection is told. What arrives is validated ({@link Members}) and reported to the transport's discovery, if
 * one is started, as members and their addresses; problems are reported as invalid input from the sender.
 * Received lists are never forwarded as such: a node only vouches for peers it is connected to itself. A receiver
 * takes a third party's entry only for a member it knows nothing of; a known member's addresses change only by its
 * own entry (and a configured peer's never: {@link PeerRegistry#connect}).
 *
 * <p>A member learnt this way that this node has no connection to for {@code lostAfter} (it was never reached, or
 * its connection closed and did not come back) is reported lost and forgotten; a later list naming it reports it
 * discovered again.
 *
 * <p>Bounded: at most {@link #MAX_LEARNED} members are remembered (for a discovery started later), further ones
 * are reported as invalid input. Threading: I/O thread only, except {@link #attach}, which hands over to it.
 */
public final class MemberExchange {
    private static final System.Logger LOG = System.getLogger(MemberExchange.class.getName());

    /** Members remembered from received lists, at most. */
    static final int MAX_LEARNED = 4096;

    private final NodeId self;
    private final Supplier<List<String>> ownAddresses;
    private final Map<NodeId, List<String>> learned = new LinkedHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong invalid = new java.util.concurrent.atomic.AtomicLong();
    private final ScheduledExecutorService timers;
    private final Duration lostAfter;
    /** Peers with a current connection. */
    private final Set<NodeId> connectedPeers = new HashSet<>();
    /** Learnt members without a connection, and the timer that reports them lost. */
    private final Map<NodeId, ScheduledFuture<?>> losing = new HashMap<>();

    private Discovery.Listener sink;
    private Consumer<NodeId> onLost = id -> {};
    private Predicate<NodeId> known = id -> false;

    /**
     * @param timers the I/O thread's executor, which runs the loss timers
     * @param lostAfter how long a learnt member may stay unconnected before it is reported lost
     */
    public MemberExchange(
            NodeId self, Supplier<List<String>> ownAddresses, ScheduledExecutorService timers, Duration lostAfter) {
        this.self = self;
        this.ownAddresses = ownAddresses;
        this.timers = timers;
        this.lostAfter = lostAfter;
    }

    /** The peers this node knows already (configured, added, dialed): a third party's entry for them is ignored. */
    void knownPeers(Predicate<NodeId> known) {
        this.known = known;
    }

    /** Tells {@code action} (on the I/O thread) of each member reported lost: the dialer slows down for it. */
    void onLost(Consumer<NodeId> action) {
        this.onLost = action;
    }

    /** Reports every member learnt so far, then each one learnt later, to {@code listener} (I/O thread). */
    void attach(Discovery.Listener listener) {
        sink = listener;
        if (listener == null) return;
        learned.forEach((id, addresses) -> report(() -> listener.onDiscovered(id, addresses)));
    }

    /** {@code c} became its peer's connection: tell the peer who we are and whom we are connected to. */
    void connected(Connection c, Collection<Connection> current) {
        connectedPeers.add(c.peer);
        ScheduledFuture<?> t = losing.remove(c.peer);
        if (t != null) t.cancel(false);
        List<Members.Entry> members = new ArrayList<>();
        for (Connection other : current) {
            if (other != c && !other.advertised.isEmpty()) members.add(new Members.Entry(other.peer, other.advertised));
        }
        send(c, members);
    }

    private void send(Connection c, List<Members.Entry> members) {
        Outbound out = c.outbound;
        if (out == null) return;
        for (byte[] body : Members.encode(new Members.Entry(self, ownAddresses.get()), members)) {
            out.offerControl(Wire.CONTROL_MEMBERS, body);
        }
    }

    /** A MEMBERS record arrived on {@code from}, its peer's current connection. */
    void received(Connection from, byte[] body, Collection<Connection> current) {
        Members.Decoded d;
        try {
            d = Members.decode(body);
        } catch (WireException e) {
            invalid(from.peer, e.getMessage());
            return;
        }
        if (!d.self().id().equals(from.peer)) {
            invalid(
                    from.peer,
                    "peer " + from.peer + " advertised itself as " + d.self().id() + "; member list dropped");
            return;
        }
        for (String problem : d.problems()) invalid(from.peer, problem);
        List<String> own = substituteWildcards(d.self().addresses(), from);
        if (!own.equals(from.advertised)) {
            from.advertised = own;
            learn(from.peer, own);
            for (Connection other : current) {
                if (other != from) send(other, List.of(new Members.Entry(from.peer, own)));
            }
        }
        for (Members.Entry e : d.members()) {
            if (!e.id().equals(self) && !e.id().equals(from.peer) && unknown(e.id())) learn(e.id(), e.addresses());
        }
    }

    /**
     * A peer listening on a wildcard address ({@code 0.0.0.0}, {@code ::}) advertises it as is: it is reachable at
     * the address its connection comes from, on the advertised port.
     */
    private static List<String> substituteWildcards(List<String> addresses, Connection from) {
        if (!(from.channel.remoteAddress() instanceof InetSocketAddress remote)) return addresses;
        List<String> out = new ArrayList<>(addresses.size());
        for (String a : addresses) {
            if (UnixAddresses.isUnix(a)) {
                out.add(a);
                continue;
            }
            InetSocketAddress parsed = TcpAddresses.parseLiteral(a);
            InetAddress ip = parsed.getAddress();
            out.add(
                    ip.isAnyLocalAddress()
                            ? TcpAddresses.format(new InetSocketAddress(remote.getAddress(), parsed.getPort()))
                            : a);
        }
        return List.copyOf(out);
    }

    /** {@code peer}'s current connection closed: if it is a learnt member, it is lost unless it comes back in time. */
    void disconnected(NodeId peer) {
        connectedPeers.remove(peer);
        if (learned.containsKey(peer)) startLosing(peer);
    }

    private void startLosing(NodeId id) {
        if (losing.containsKey(id) || connectedPeers.contains(id)) return;
        losing.put(id, timers.schedule(() -> lost(id), lostAfter.toNanos(), TimeUnit.NANOSECONDS));
    }

    private void lost(NodeId id) {
        losing.remove(id);
        if (connectedPeers.contains(id) || learned.remove(id) == null) return;
        LOG.log(Level.DEBUG, () -> self + ": member " + id + " unconnected for " + lostAfter + "; lost");
        onLost.accept(id);
        Discovery.Listener s = sink;
        if (s != null) report(() -> s.onLost(id));
    }

    /**
     * Whether a peer's word about member {@code id} is taken: only about a member this node knows nothing of (not
     * learnt yet, not connected, and not configured, added or dialed: {@link #knownPeers}). Only a member speaks for
     * its own addresses once it is known, so no peer can redirect this node's dials of another one.
     */
    private boolean unknown(NodeId id) {
        return !learned.containsKey(id) && !connectedPeers.contains(id) && !known.test(id);
    }

    private void learn(NodeId id, List<String> addresses) {
        List<String> known = learned.get(id);
        if (addresses.equals(known)) return;
        if (known == null && learned.size() >= MAX_LEARNED) {
            invalid(id, "more than " + MAX_LEARNED + " members learnt; " + id + " dropped");
            return;
        }
        learned.put(id, addresses);
        startLosing(id);
        Discovery.Listener s = sink;
        if (s != null) report(() -> s.onDiscovered(id, addresses));
    }

    /** Invalid member lists, entries and addresses dropped so far, whether or not a discovery is attached. */
    long invalidInput() {
        return invalid.get();
    }

    private void invalid(NodeId source, String reason) {
        invalid.incrementAndGet();
        LOG.log(Level.DEBUG, () -> self + ": invalid member list from " + source + ": " + reason);
        Discovery.Listener s = sink;
        if (s != null) report(() -> s.onInvalid(source, reason));
    }

    private void report(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, self + ": discovery listener threw; continuing", e);
        }
    }
}
