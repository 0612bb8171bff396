package dev.tether.store.memory;

import dev.tether.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Values by peer and lane, looked up without a key object: a store batch with 10,000 streams finds about one stream
 * per message, and a key object per lookup (and its hashing of two strings) was most of what that cost beyond the
 * lookup itself. The peers are few; each has a map by lane. Not thread-safe (the store's lock guards it).
 */
final class PeerLanes<V> {
    /** What {@link #forEach} hands over. */
    interface Visitor<V> {
        void visit(NodeId peer, String lane, V value);
    }

    private final Map<NodeId, Map<String, V>> byPeer = new HashMap<>();

    V get(NodeId peer, String lane) {
        Map<String, V> lanes = byPeer.get(peer);
        return lanes == null ? null : lanes.get(lane);
    }

    void put(NodeId peer, String lane, V value) {
        byPeer.computeIfAbsent(peer, p -> new HashMap<>()).put(lane, value);
    }

    int size() {
        int n = 0;
        for (Map<String, V> lanes : byPeer.values()) n += lanes.size();
        return n;
    }

    void forEach(Visitor<V> v) {
        byPeer.forEach((peer, lanes) -> lanes.forEach((lane, value) -> v.visit(peer, lane, value)));
    }

    List<V> values() {
        List<V> l = new ArrayList<>(size());
        for (Map<String, V> lanes : byPeer.values()) l.addAll(lanes.values());
        return l;
    }

    /** A copy holding {@code copy} of each value. */
    PeerLanes<V> copy(UnaryOperator<V> copy) {
        PeerLanes<V> c = new PeerLanes<>();
        forEach((peer, lane, value) -> c.put(peer, lane, copy.apply(value)));
        return c;
    }
}
