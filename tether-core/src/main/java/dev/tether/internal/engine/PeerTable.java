package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.OutboundState;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The engine's membership: every peer the node knows, why it knows it, whether it is connected, when it was last
 * heard from, its round-trip time, whether its streams have resumed on the current connection, and the store
 * epoch it last introduced itself with (stored, so that a peer that lost its store is recognised after a restart
 * of either side). A peer is known if it is configured, added, discovered, admitted by the transport, or named by
 * stored state; a removed peer stays in the table, marked, so that its streams are kept and its frames ignored.
 * Not thread-safe: the engine's owner thread calls it.
 */
final class PeerTable {
    /** A connected peer is pinged this often, and once at connection, to measure its round trip. */
    static final long PING_INTERVAL_MILLIS = 5_000;

    /**
     * Where a peer's connection stands. {@code DOWN -> CONNECTED} when the transport reports it up (from any state:
     * a replacing connection starts over); {@code CONNECTED -> HEARD} on the first valid frame on the connection
     * (its HELLO, normally; any frame will do, so that a lost HELLO delays {@code PeerResumed} by a ping interval
     * at most instead of forever); {@code HEARD -> RESUMED} once every stream to it holding committed,
     * unacknowledged messages has opened ({@code PeerResumed}, once per connection); any {@code -> DOWN} when the
     * transport reports it down.
     */
    enum Link {
        DOWN,
        CONNECTED,
        HEARD,
        RESUMED;

        /** Connected, and {@code PeerResumed} not reported yet for this connection. */
        boolean resumePending() {
            return this == CONNECTED || this == HEARD;
        }

        /** Whether {@code this -> next} is one of the transitions above; every change of state goes through it. */
        boolean mayBecome(Link next) {
            return switch (next) {
                case DOWN -> this != DOWN;
                case CONNECTED -> true;
                case HEARD -> this == CONNECTED;
                case RESUMED -> this == HEARD;
            };
        }
    }

    /**
     * One peer. The flags say why it is known; {@link #origin()} picks the strongest. Its {@link Link} changes only
     * through {@code become}, called by the table's {@code up}, {@code down}, {@code resumed} and its own {@link
     * #heard()}.
     */
    static final class Peer {
        final NodeId id;
        boolean configured;
        boolean added;
        boolean discovered;
        boolean admitted;
        boolean stored;
        boolean removed;
        List<String> addresses = List.of();

        private Link link = Link.DOWN;
        long knownEpoch;
        /** When the last frame arrived (node clock, ms), or 0. */
        long lastSeen;
        /** The latest round trip in ns, or -1. */
        long rttNanos = -1;
        /** The round trip of DATA to its ACK, and the retransmission timeout of the streams to this peer. */
        final DataRoundTrip data = new DataRoundTrip();
        /** The timestamp of the PING awaiting its PONG (the engine's ping clock, ms or µs), or -1. */
        long pingOutstanding = -1;
        /** The latest PING timestamp sent on this connection, or -1: a PONG above it echoes a PING never sent. */
        long lastPingSent = -1;

        long nextPingAt;
        /**
         * The peer's process incarnation as its latest HELLO in this process stated it, or 0: volatile streams to it
         * start over when it changes (docs/PROTOCOL.md, "Volatile streams").
         */
        long bootId;
        /** Whether its HELLO arrived on the current connection: volatile streams open only after it did. */
        boolean helloHeard;
        /**
         * The codecs its HELLO on the current connection says it decompresses ({@link Frame.Hello#codecs}), 0 before
         * it arrived: a connection to a process without them gets messages decompressed.
         */
        int codecs;

        Peer(NodeId id) {
            this.id = id;
        }

        /** A frame from this peer arrived at {@code now}, valid or not. */
        void arrived(long now) {
            lastSeen = now;
        }

        /** A valid frame from this peer arrived on the current connection. */
        void heard() {
            if (link == Link.CONNECTED) become(Link.HEARD);
        }

        /** The one place the link state changes; a transition the machine does not have is a bug in the engine. */
        private void become(Link next) {
            if (!link.mayBecome(next)) throw new IllegalStateException("peer " + id + ": link " + link + " -> " + next);
            link = next;
        }

        boolean connected() {
            return link != Link.DOWN;
        }

        PeerInfo.Origin origin() {
            if (configured) return PeerInfo.Origin.CONFIGURED;
            if (added) return PeerInfo.Origin.ADDED;
            if (discovered) return PeerInfo.Origin.DISCOVERED;
            if (admitted) return PeerInfo.Origin.ADMITTED;
            return PeerInfo.Origin.STORED;
        }

        /**
         * A PONG echoing {@code sentAt} arrived at {@code stamp} (both in the ping clock, whose unit is {@code
         * unitNanos}); returns a reason if it echoes a PING this node never sent on this connection. An older PING's
         * late PONG is ignored: only the latest one measures.
         */
        String ponged(long stamp, long sentAt, long unitNanos) {
            if (sentAt > lastPingSent) {
                return "PONG echoes timestamp " + sentAt + " but the latest PING sent was " + lastPingSent;
            }
            if (sentAt == pingOutstanding) {
                rttNanos = Math.max(0, stamp - sentAt) * unitNanos;
                pingOutstanding = -1;
            }
            return null;
        }
    }

    private final NodeId self;
    private final Map<NodeId, Peer> peers = new TreeMap<>();
    /** Peers whose {@link Link#resumePending()}: the end of each turn looks at them only while there are any. */
    private int resumesPending;
    /** Peers whose epoch changed and is not stored yet. */
    private final Set<NodeId> epochDirty = new LinkedHashSet<>();

    PeerTable(NodeId self, Set<NodeId> configured, StoredState state) {
        this.self = self;
        for (NodeId p : configured) peer(p).configured = true;
        state.peerEpochs().forEach((p, e) -> {
            Peer peer = peer(p);
            peer.knownEpoch = e;
            peer.stored = true;
        });
        // This node's own streams (loopback streams) make no peer of it: it is never listed, never connected.
        for (OutboundState s : state.outbound()) if (!s.to().equals(self)) peer(s.to()).stored = true;
        for (InboundCursor c : state.inbound()) if (!c.from().equals(self)) peer(c.from()).stored = true;
    }

    /** The peer, created if unknown (as stored state names it). */
    Peer peer(NodeId id) {
        return peers.computeIfAbsent(id, Peer::new);
    }

    /** The peer, removed or not, or null if unknown. */
    Peer get(NodeId id) {
        return peers.get(id);
    }

    /** Why a send to {@code to} is refused, or null if it is accepted: always for this node (a loopback stream). */
    String refuseSend(NodeId to) {
        if (to.equals(self)) return null;
        Peer p = peers.get(to);
        if (p == null) return "unknown peer " + to;
        if (p.removed) return "peer " + to + " was removed; addPeer(" + to + ") to send to it again";
        return null;
    }

    /** The transport reports {@code id} up; returns the peer, or null if it was removed (it is ignored). */
    Peer up(long now, NodeId id) {
        Peer p = peers.get(id);
        if (p != null && p.removed) return null;
        if (p == null) {
            p = peer(id);
            p.admitted = true;
        }
        if (!p.link.resumePending()) resumesPending++;
        p.become(Link.CONNECTED);
        p.data.connectionEnded(); // if its end was not reported
        p.helloHeard = false;
        p.codecs = 0;
        p.pingOutstanding = -1;
        p.lastPingSent = -1;
        p.nextPingAt = now;
        return p;
    }

    /** The transport reports {@code id} down; returns whether it was connected. */
    boolean down(NodeId id) {
        Peer p = peers.get(id);
        if (p == null || !p.connected()) return false;
        if (p.link.resumePending()) resumesPending--;
        p.become(Link.DOWN);
        p.data.connectionEnded();
        p.helloHeard = false;
        p.codecs = 0;
        return true;
    }

    /** What {@code id}'s HELLO on the current connection says it decompresses; 0 before it or while down. */
    int codecs(NodeId id) {
        Peer p = peers.get(id);
        return p == null ? 0 : p.codecs;
    }

    /** Whether {@code id} is connected and its HELLO arrived on this connection (its boot id is known). */
    boolean helloHeard(NodeId id) {
        Peer p = peers.get(id);
        return p != null && p.connected() && p.helloHeard;
    }

    boolean connected(NodeId id) {
        Peer p = peers.get(id);
        return p != null && p.connected();
    }

    /** The connected peers, sorted. */
    List<NodeId> connectedIds() {
        List<NodeId> l = new ArrayList<>();
        for (Peer p : peers.values()) {
            if (p.connected()) l.add(p.id);
        }
        return l;
    }

    /** Connected peers whose next PING is due at {@code now}. */
    List<Peer> pingsDue(long now) {
        List<Peer> due = null;
        for (Peer p : peers.values()) {
            if (p.connected() && now >= p.nextPingAt) {
                if (due == null) due = new ArrayList<>();
                due.add(p);
            }
        }
        return due == null ? List.of() : due;
    }

    /** A PING stamped {@code stamp} is being sent to {@code p} at {@code now}. */
    static void pinged(Peer p, long now, long stamp) {
        p.pingOutstanding = stamp;
        p.lastPingSent = Math.max(p.lastPingSent, stamp);
        p.nextPingAt = now + PING_INTERVAL_MILLIS;
    }

    /** Adds or updates a peer the application added ({@code added}) or a discovery reported. */
    void add(NodeId id, List<String> addresses, boolean added) {
        Peer p = peer(id);
        if (added) {
            p.added = true;
            p.removed = false;
        } else if (p.removed) {
            return; // a removed peer is not rediscovered
        } else {
            p.discovered = true;
        }
        if (!addresses.isEmpty()) p.addresses = List.copyOf(addresses);
    }

    /** Marks {@code id} removed (creating it, so it is refused even if it was unknown). */
    void remove(NodeId id) {
        Peer p = peer(id);
        p.removed = true;
        p.added = false;
        p.discovered = false;
    }

    /**
     * A discovery lost {@code id}: it is no longer discovered, and forgotten unless something else makes it known
     * ({@code hasState}: streams or a known epoch).
     */
    void lost(NodeId id, boolean hasState) {
        Peer p = peers.get(id);
        if (p == null || !p.discovered) return;
        p.discovered = false;
        if (!p.configured && !p.added && !p.admitted && !p.stored && !p.removed && !p.connected() && !hasState) {
            peers.remove(id);
        }
    }

    /**
     * Peers whose streams have resumed: connected, heard from on this connection, and {@code streamsOpen} (every
     * outbound stream to them holding committed, unacknowledged messages opened, or stopped as diverged). Each is
     * reported once per connection.
     */
    List<NodeId> resumed(Predicate<NodeId> streamsOpen) {
        List<NodeId> done = null;
        for (Peer p : peers.values()) {
            if (p.link != Link.HEARD || !streamsOpen.test(p.id)) continue;
            p.become(Link.RESUMED);
            resumesPending--;
            if (done == null) done = new ArrayList<>();
            done.add(p.id);
        }
        return done == null ? List.of() : done;
    }

    /** Whether some connected peer has not been reported resumed yet. */
    boolean resumePending() {
        return resumesPending > 0;
    }

    // ---- store epochs --------------------------------------------------------------------------------

    /** The store epoch {@code peer} last introduced itself with; 0 if it never did or is unknown. */
    long knownEpoch(NodeId id) {
        Peer p = peers.get(id);
        return p == null ? 0 : p.knownEpoch;
    }

    /** {@code p} introduced itself with a new store epoch: remember it, and store it with the next batch. */
    void learnEpoch(Peer p, long epoch) {
        p.knownEpoch = epoch;
        epochDirty.add(p.id);
    }

    boolean hasWrites() {
        return !epochDirty.isEmpty();
    }

    /** Moves the epochs not stored yet into batch {@code b}. */
    void writeTo(Batch b, WriteBatch w) {
        for (NodeId id : epochDirty) {
            w.peerEpoch(new WriteBatch.PeerEpoch(id, peers.get(id).knownEpoch));
            b.peerEpochs.add(id);
        }
        epochDirty.clear();
    }

    /** Batch {@code b} failed: its epochs are written again with the next one. */
    void retryLater(Batch b) {
        epochDirty.addAll(b.peerEpochs);
    }

    // ---- queries -------------------------------------------------------------------------------------

    /** A snapshot of every peer that is not removed, sorted by id. */
    List<PeerInfo> infos(Map<NodeId, Long> unacked) {
        List<PeerInfo> l = new ArrayList<>(peers.size());
        for (Peer p : peers.values()) {
            if (p.removed) continue;
            l.add(new PeerInfo(
                    p.id,
                    p.origin(),
                    p.addresses,
                    p.connected(),
                    p.lastSeen == 0 ? null : Instant.ofEpochMilli(p.lastSeen),
                    p.rttNanos < 0 ? null : Duration.ofNanos(p.rttNanos),
                    unacked.getOrDefault(p.id, 0L),
                    List.of(),
                    Map.of())); // what the peer advertised is the call layer's to add
        }
        return l;
    }
}
