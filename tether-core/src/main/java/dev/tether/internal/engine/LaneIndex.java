package dev.tether.internal.engine;

import dev.tether.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * The outbound streams by peer and lane, beside {@link Senders}' map by {@link StreamKey}: an ACK frame names one peer
 * and up to thousands of lanes, so its entries find their streams with one peer lookup per frame and one lane lookup
 * per entry, without a key object and its hashing per entry. The lanes an ACK decodes are the strings {@link
 * LaneNames} remembers, and a stream's own lane is remembered there when the stream is added, so the lookups mostly
 * compare references, not bytes. About 40 bytes per stream (a map entry).
 */
final class LaneIndex {
    private final Map<NodeId, Map<String, OutStream>> byPeer = new HashMap<>();

    void add(OutStream s) {
        byPeer.computeIfAbsent(s.key.peer(), p -> new HashMap<>()).put(LaneNames.remember(s.key.lane()), s);
    }

    void remove(OutStream s) {
        Map<String, OutStream> lanes = byPeer.get(s.key.peer());
        if (lanes != null) lanes.remove(s.key.lane(), s);
    }

    /** The streams to {@code peer} by lane; empty if none. Read only. */
    Map<String, OutStream> lanes(NodeId peer) {
        return byPeer.getOrDefault(peer, Map.of());
    }
}
