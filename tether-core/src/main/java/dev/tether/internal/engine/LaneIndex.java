package dev.tether.internal.engine;

import dev.tether.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * Streams by peer and lane, beside a map by {@link StreamKey}: a frame names one peer and one lane (DATA) or up to
 * thousands of lanes (ACK), so its streams are found with one peer lookup and one lane lookup each, without a key
 * object and its hashing per lane. The lanes frames decode are the strings {@link LaneNames} remembers, and a
 * stream's own lane is remembered there when the stream is added, so the lookups mostly compare references, not
 * bytes, and touch no key object (one cache miss fewer per lookup once thousands of streams' state no longer fits
 * the caches). About 40 bytes per stream (a map entry).
 */
final class LaneIndex<S> {
    private final Map<NodeId, Map<String, S>> byPeer = new HashMap<>();

    /** Adds (or replaces) the stream of {@code key}. */
    void put(StreamKey key, S s) {
        byPeer.computeIfAbsent(key.peer(), p -> new HashMap<>()).put(LaneNames.remember(key.lane()), s);
    }

    /** Removes the stream of {@code key} if it is {@code s}; a peer left without streams is forgotten. */
    void remove(StreamKey key, S s) {
        Map<String, S> lanes = byPeer.get(key.peer());
        if (lanes != null && lanes.remove(key.lane(), s) && lanes.isEmpty()) byPeer.remove(key.peer());
    }

    /** How many peers have streams here: for tests. */
    int peers() {
        return byPeer.size();
    }

    /** The streams of {@code peer} by lane; empty if none. Read only. */
    Map<String, S> lanes(NodeId peer) {
        return byPeer.getOrDefault(peer, Map.of());
    }

    /** The stream of {@code peer} on {@code lane}, or null. */
    S get(NodeId peer, String lane) {
        Map<String, S> lanes = byPeer.get(peer);
        return lanes == null ? null : lanes.get(lane);
    }
}
