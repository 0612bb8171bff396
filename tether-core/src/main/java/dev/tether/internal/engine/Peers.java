package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configured peers: whether each is connected, and the store epoch it last introduced itself with (stored,
 * so that a peer that lost its store is recognised after a restart of either side). Not thread-safe.
 */
final class Peers {
    private static final class Peer {
        boolean connected;
        long knownEpoch;
    }

    private final Map<NodeId, Peer> peers = new HashMap<>();
    /** Peers whose epoch changed and is not stored yet. */
    private final Set<NodeId> epochDirty = new LinkedHashSet<>();

    Peers(Iterable<NodeId> configured, Map<NodeId, Long> storedEpochs) {
        for (NodeId p : configured) peers.put(p, new Peer());
        storedEpochs.forEach((p, e) -> peers.computeIfAbsent(p, k -> new Peer()).knownEpoch = e);
    }

    boolean known(NodeId peer) {
        return peers.containsKey(peer);
    }

    boolean connected(NodeId peer) {
        Peer p = peers.get(peer);
        return p != null && p.connected;
    }

    /** The transport reports {@code peer} up. */
    void up(NodeId peer) {
        peers.get(peer).connected = true;
    }

    /** The transport reports {@code peer} down; false if it was not up. */
    boolean down(NodeId peer) {
        Peer p = peers.get(peer);
        if (p == null || !p.connected) return false;
        p.connected = false;
        return true;
    }

    /** The store epoch {@code peer} last introduced itself with; 0 if it never did. */
    long knownEpoch(NodeId peer) {
        return peers.get(peer).knownEpoch;
    }

    /** {@code peer} introduced itself with a new store epoch: remember it, and store it with the next batch. */
    void learnEpoch(NodeId peer, long epoch) {
        peers.get(peer).knownEpoch = epoch;
        epochDirty.add(peer);
    }

    List<NodeId> connectedPeers() {
        List<NodeId> l = new ArrayList<>();
        peers.forEach((id, p) -> {
            if (p.connected) l.add(id);
        });
        l.sort(null);
        return l;
    }

    // ---- store batches -------------------------------------------------------------------------------

    boolean hasWrites() {
        return !epochDirty.isEmpty();
    }

    /** Moves the epochs not stored yet into batch {@code b}. */
    void writeTo(Batch b, WriteBatch w) {
        for (NodeId p : epochDirty) {
            w.peerEpoch(new WriteBatch.PeerEpoch(p, peers.get(p).knownEpoch));
            b.peerEpochs.add(p);
        }
        epochDirty.clear();
    }

    /** Batch {@code b} failed: its epochs are written again with the next one. */
    void retryLater(Batch b) {
        epochDirty.addAll(b.peerEpochs);
    }
}
