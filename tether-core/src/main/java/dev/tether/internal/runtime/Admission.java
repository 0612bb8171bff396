package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.OutboundState;
import dev.tether.spi.PeerProof;
import dev.tether.spi.StoredState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which peers a node admits and accepts sends to, readable from any thread: the transport asks {@link #admit}
 * on its I/O threads, {@code send} checks {@link #isKnown} on the caller's. The rules (docs in {@code
 * TetherConfig.Builder#allowedPeers}): a removed peer is refused; a configured or added one is admitted; any other
 * must pass the allow-list and either be proven by the transport, or be vouched for (stored state from an earlier
 * admission, or admitted earlier in this run), or the node must admit unproven peers.
 *
 * <p>Ordering: an id is published to {@link #isKnown} only after the node-thread command that makes the engine
 * know it was posted (or ran), and withdrawn before the command that removes it is posted, so a send accepted here
 * never reaches the engine before the engine knows its peer.
 */
final class Admission {
    private final NodeId self;
    private final List<String> allowList;
    private final boolean admitUnproven;
    /** Configured and added peers: admitted without proof. */
    private final Set<NodeId> explicit = ConcurrentHashMap.newKeySet();
    /** Peers with stored state or admitted in this run: admitted without proof if the allow-list lets them. */
    private final Set<NodeId> vouched = ConcurrentHashMap.newKeySet();
    /** Peers sends are accepted to. */
    private final Set<NodeId> known = ConcurrentHashMap.newKeySet();

    private final Set<NodeId> removed = ConcurrentHashMap.newKeySet();
    /** Nodes kicked from the cluster as this node holds it: the refusal a removed one gets instead of the plain one. */
    private final Map<NodeId, String> kicked = new ConcurrentHashMap<>();

    Admission(NodeId self, Set<NodeId> configured, List<String> allowList, boolean admitUnproven, StoredState state) {
        this.self = self;
        this.allowList = List.copyOf(allowList);
        this.admitUnproven = admitUnproven;
        explicit.addAll(configured);
        known.addAll(configured);
        for (OutboundState s : state.outbound()) vouched.add(s.to());
        for (InboundCursor c : state.inbound()) vouched.add(c.from());
        vouched.addAll(state.peerEpochs().keySet());
        vouched.remove(self);
        known.addAll(vouched);
    }

    NodeId self() {
        return self;
    }

    /** Null if {@code peer} may connect on {@code proof}, else why not (sent to the peer and reported). */
    String admit(NodeId peer, PeerProof proof) {
        if (peer.equals(self)) return "the peer claims this node's own id " + self;
        if (removed.contains(peer)) {
            String kick = kicked.get(peer);
            if (kick != null) return kick;
            return peer + " was removed from " + self + " (removePeer); addPeer(" + peer + ") admits it again";
        }
        if (explicit.contains(peer)) return null;
        if (!allowed(peer)) {
            return peer + " is not a configured or added peer of " + self + " and matches none of its allowedPeers "
                    + allowList;
        }
        if (proof != PeerProof.NONE || vouched.contains(peer) || admitUnproven) return null;
        return peer + " is not a configured or added peer of " + self + ", and nothing proved its identity (plain"
                + " TCP): configure or add it, use TLS or a pre-shared key, or, for loopback development only, set"
                + " insecureAdmitUnprovenPeers";
    }

    /** Whether a discovered {@code member} is worth connecting to: not this node, not removed, allowed. */
    boolean mayDiscover(NodeId member) {
        return !member.equals(self) && !removed.contains(member) && (explicit.contains(member) || allowed(member));
    }

    private boolean allowed(NodeId peer) {
        if (allowList.isEmpty()) return true;
        for (String pattern : allowList) {
            if (Glob.matches(pattern, peer.value())) return true;
        }
        return false;
    }

    boolean isKnown(NodeId peer) {
        return known.contains(peer);
    }

    boolean isRemoved(NodeId peer) {
        return removed.contains(peer);
    }

    /** {@code peer} was added: admitted without proof from now on. Call before posting the engine's update. */
    void added(NodeId peer) {
        removed.remove(peer);
        explicit.add(peer);
    }

    boolean isExplicit(NodeId peer) {
        return explicit.contains(peer);
    }

    /** Reverts {@link #added} for an addition that failed, given what was true before it. */
    void undoAdd(NodeId peer, boolean wasExplicit, boolean wasRemoved) {
        if (!wasExplicit) explicit.remove(peer);
        if (wasRemoved) removed.add(peer);
    }

    /** The engine knows {@code peer} now (the command telling it was posted): sends to it are accepted. */
    void publish(NodeId peer) {
        if (!removed.contains(peer)) known.add(peer);
    }

    /** {@code peer} connected: it is vouched for from now on (its state will be stored) and known. */
    void connected(NodeId peer) {
        vouched.add(peer);
        publish(peer);
    }

    /** {@code peer} is removed: refused and unknown from now on. Call before posting the engine's update. */
    void removed(NodeId peer) {
        removed.add(peer);
        known.remove(peer);
        explicit.remove(peer);
    }

    /**
     * This node holds a cluster verdict on {@code refusal.kicked()}: a kick ({@code refusal} says why it is refused
     * while removed), or, with {@code banned} false, a re-admission (the plain refusal of a removed peer again).
     */
    void clusterVerdict(KickRefusal refusal, boolean banned) {
        if (banned) kicked.put(refusal.kicked(), refusal.reason());
        else kicked.remove(refusal.kicked());
    }

    /** A discovery lost {@code peer} and the engine forgot it. */
    void forgotten(NodeId peer) {
        if (!explicit.contains(peer) && !vouched.contains(peer)) known.remove(peer);
    }
}
