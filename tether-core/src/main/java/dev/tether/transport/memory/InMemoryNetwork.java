package dev.tether.transport.memory;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-process network of {@link InMemoryTransport}s. Every two started transports of one network are
 * connected unless a test cut the link between them with {@link #disconnect} or {@link #partition}.
 *
 * <p>A connection between two transports is a <em>link</em>. Before opening one, the network asks each side's
 * listener to {@linkplain dev.tether.spi.Transport.Listener#admit admit} the other, with proof {@link
 * PeerProof#IDENTITY} (in one process the network knows who each transport is). If either refuses, no link opens:
 * both sides get {@code onConnectionRejected} (the refused side's reason starts with "refused by the peer: "), and
 * the pair is not asked again until either side calls {@link InMemoryTransport#connect} for the other or closes (a
 * restarted node's new transport is asked afresh). Opening a
 * link reports {@code onPeerUp} to both sides; closing one (a cut, a partition, or either transport closing) reports {@code onPeerDown} to both
 * remaining sides and drops every frame still in flight on it. A later link between the same two nodes is a
 * new connection: frames of the old one never arrive on it.
 *
 * <p>Threading: all methods are thread-safe. Topology changes (start, close, cuts) take one lock per
 * network; {@link InMemoryTransport#send} does not.
 */
public final class InMemoryNetwork {
    /** The default {@link #maxFrameBytes()}: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;

    private final int maxFrameBytes;
    /** Started, not yet closed transports, by node id. Guarded by {@code this}. */
    private final Map<NodeId, InMemoryTransport> members = new TreeMap<>();
    /** Links cut by {@link #disconnect}, each as a two-element set. Guarded by {@code this}. */
    private final Set<Set<NodeId>> cuts = new HashSet<>();
    /** One side of the current partition, or null. Guarded by {@code this}. */
    private Set<NodeId> partitionSide;
    /** Pairs whose link a side refused to admit, each as a two-element set. Guarded by {@code this}. */
    private final Set<Set<NodeId>> refused = new HashSet<>();

    /** A network carrying frames of up to {@link #DEFAULT_MAX_FRAME_BYTES}. */
    public InMemoryNetwork() {
        this(DEFAULT_MAX_FRAME_BYTES);
    }

    /** A network carrying frames of up to {@code maxFrameBytes} (at least 1). */
    public InMemoryNetwork(int maxFrameBytes) {
        if (maxFrameBytes < 1) throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The largest frame a transport of this network carries, in bytes. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** A new, unstarted transport on this network; {@link InMemoryTransport#start} names its node. */
    public InMemoryTransport newTransport() {
        return new InMemoryTransport(this);
    }

    /**
     * Cuts the link between {@code a} and {@code b}: if they are connected both see the other go down and
     * frames in flight between them are dropped. The cut stays until {@link #connect} or {@link #heal}, also
     * across restarts of either node.
     */
    public synchronized void disconnect(NodeId a, NodeId b) {
        cuts.add(pair(a, b));
        reconcile();
    }

    /**
     * Removes a cut made by {@link #disconnect}; if both nodes are started and no partition separates them
     * they connect and both see the other come up.
     */
    public synchronized void connect(NodeId a, NodeId b) {
        cuts.remove(pair(a, b));
        reconcile();
    }

    /**
     * Separates the nodes in {@code side} from every other node (started now or later) until {@link #heal};
     * replaces any earlier partition. Links within each side are not affected.
     */
    public synchronized void partition(Set<NodeId> side) {
        partitionSide = Set.copyOf(side);
        reconcile();
    }

    /** Removes the partition and every cut: all started transports connect. */
    public synchronized void heal() {
        partitionSide = null;
        cuts.clear();
        reconcile();
    }

    /** Returns once no topology change is in progress (they all hold this network's lock). */
    synchronized void awaitTopology() {
        // The lock is the barrier: acquiring it waits for the change in progress.
    }

    synchronized void join(InMemoryTransport t) {
        NodeId self = t.self();
        if (members.containsKey(self)) {
            throw new IllegalStateException("node " + self + " is already started on this network");
        }
        members.put(self, t);
        for (InMemoryTransport other : members.values()) {
            if (other != t && linkAllowed(self, other.self())) openIfAdmitted(t, other);
        }
    }

    /** {@code t} wants {@code peer} again: a refusal between them is forgotten and the link opened if allowed. */
    synchronized void retry(InMemoryTransport t, NodeId peer) {
        if (t.self().equals(peer) || !refused.remove(pair(t.self(), peer))) return;
        InMemoryTransport other = members.get(peer);
        if (members.get(t.self()) == t && other != null && t.linkTo(peer) == null && linkAllowed(t.self(), peer)) {
            openIfAdmitted(t, other);
        }
    }

    /** {@code t} drops its link to {@code peer}; the link opens again at once if both sides still admit it. */
    synchronized void drop(InMemoryTransport t, NodeId peer) {
        Link link = t.linkTo(peer);
        if (link == null) return;
        link.close();
        InMemoryTransport other = members.get(peer);
        if (members.get(t.self()) == t && other != null && linkAllowed(t.self(), peer)) openIfAdmitted(t, other);
    }

    private void openIfAdmitted(InMemoryTransport a, InMemoryTransport b) {
        Set<NodeId> pair = pair(a.self(), b.self());
        if (refused.contains(pair)) return;
        String refusal = a.admit(b.self());
        InMemoryTransport refuser = a;
        InMemoryTransport refusedOne = b;
        if (refusal == null) {
            refusal = b.admit(a.self());
            refuser = b;
            refusedOne = a;
        }
        if (refusal == null) {
            Link.open(a, b);
            return;
        }
        refused.add(pair);
        refuser.queueRejection(refusedOne.self().value(), refusal);
        refusedOne.queueRejection(refuser.self().value(), "refused by the peer: " + refusal);
    }

    synchronized void leave(InMemoryTransport t) {
        if (members.remove(t.self(), t)) {
            for (Link link : List.copyOf(t.links())) link.close();
            // A refusal is between two running processes: one that stops takes its refusals with it, so a restarted
            // node (a new transport with the same id) is asked to admit its peers afresh, as a real redial would.
            refused.removeIf(pair -> pair.contains(t.self()));
        }
    }

    /** Opens and closes links until they match the cuts and the partition. */
    private void reconcile() {
        List<InMemoryTransport> all = List.copyOf(members.values());
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                InMemoryTransport a = all.get(i);
                InMemoryTransport b = all.get(j);
                Link link = a.linkTo(b.self());
                boolean allowed = linkAllowed(a.self(), b.self());
                if (allowed && link == null) openIfAdmitted(a, b);
                else if (!allowed && link != null) link.close();
            }
        }
    }

    private boolean linkAllowed(NodeId a, NodeId b) {
        if (cuts.contains(pair(a, b))) return false;
        return partitionSide == null || partitionSide.contains(a) == partitionSide.contains(b);
    }

    private static Set<NodeId> pair(NodeId a, NodeId b) {
        if (a.equals(b)) throw new IllegalArgumentException("a link needs two different nodes, got " + a + " twice");
        return Set.of(a, b);
    }

    /**
     * One connection between two transports. Frames carry their link and are delivered only while it is
     * open; it is closed before the down events are queued, so no frame of it follows them.
     */
    static final class Link {
        private final InMemoryTransport a;
        private final InMemoryTransport b;
        private volatile boolean open = true;

        private Link(InMemoryTransport a, InMemoryTransport b) {
            this.a = a;
            this.b = b;
        }

        /**
         * Queues both up events before publishing the link to either sender, so that every frame of the link
         * follows the up event on the receiving side.
         */
        static void open(InMemoryTransport a, InMemoryTransport b) {
            Link link = new Link(a, b);
            a.queuePeerUp(b.self());
            b.queuePeerUp(a.self());
            a.publishLink(b.self(), link);
            b.publishLink(a.self(), link);
        }

        void close() {
            open = false;
            a.peerDown(b.self(), this);
            b.peerDown(a.self(), this);
        }

        boolean isOpen() {
            return open;
        }

        InMemoryTransport peerOf(InMemoryTransport t) {
            return t == a ? b : a;
        }
    }
}
