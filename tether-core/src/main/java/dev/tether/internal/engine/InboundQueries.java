package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.StreamStats;
import java.util.List;
import java.util.Map;

/**
 * Questions about this node's inbound streams that the engine answers for membership, memory and statistics: how
 * many come from a peer, how many messages they buffer, their counters. Not thread-safe: the engine's thread only.
 */
final class InboundQueries {
    private final Map<StreamKey, InStream> streams;

    InboundQueries(Map<StreamKey, InStream> streams) {
        this.streams = streams;
    }

    /** The streams from {@code peer}. */
    int streamsFrom(NodeId peer) {
        int n = 0;
        for (StreamKey k : streams.keySet()) {
            if (k.peer().equals(peer)) n++;
        }
        return n;
    }

    long messagesInMemory() {
        long n = 0;
        for (InStream s : streams.values()) n += s.buffered();
        return n;
    }

    void addStats(List<StreamStats> into) {
        for (InStream s : streams.values()) into.add(s.stats());
    }
}
