package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.StreamStats;
import java.util.List;
import java.util.Map;

/**
 * Questions about single outbound streams that the runtime and management ask the engine: how far a stream's
 * receiver took care of it, what it still holds, how often its messages were transmitted. Not thread-safe: the
 * engine's owner thread only, like the engine.
 */
public final class OutboundQueries {
    private final Map<StreamKey, OutStream> streams;

    OutboundQueries(Map<StreamKey, OutStream> streams) {
        this.streams = streams;
    }

    /** How far the receiver of outbound stream {@code key} has taken care of it (0 for an unknown stream). */
    public long ackedSeq(StreamKey key) {
        OutStream s = streams.get(key);
        return s == null ? 0 : s.ackedSeq();
    }

    /**
     * Messages of outbound stream {@code key} waiting for a batch, stored and not yet taken care of by its receiver
     * (or expired here); 0 for an unknown stream.
     */
    public long unacked(StreamKey key) {
        OutStream s = streams.get(key);
        return s == null ? 0 : s.unacked();
    }

    /**
     * How often this process transmitted messages {@code fromSeq .. fromSeq + count - 1} of outbound stream {@code
     * key}, in that order. Counted in memory since the node started (a restart starts again from 0, also for messages
     * an earlier process transmitted); 0 for a message not transmitted, settled already, of an unknown stream, of a
     * loopback stream (no frames) or of a channel reader (OutStream#transmissions).
     */
    public int[] transmissions(StreamKey key, long fromSeq, int count) {
        if (count < 0) throw new IllegalArgumentException("count must not be negative, was " + count);
        int[] n = new int[count];
        OutStream s = streams.get(key);
        for (int i = 0; s != null && i < count; i++) n[i] = s.transmissions(fromSeq + i);
        return n;
    }

    // ---- the engine's questions over all outbound streams ----------------------------------------------

    /** Whether every stream to {@code peer} with messages to deliver is open (or stopped as diverged). */
    boolean streamsOpen(NodeId peer) {
        for (OutStream s : streams.values()) {
            if (s.key.peer().equals(peer) && s.awaitsOpen()) return false;
        }
        return true;
    }

    /** The streams to {@code peer}. */
    int streamsTo(NodeId peer) {
        return (int)
                streams.keySet().stream().filter(k -> k.peer().equals(peer)).count();
    }

    /** Messages to {@code peer} not yet taken care of by it. */
    long unackedTo(NodeId peer) {
        long n = 0;
        for (OutStream s : streams.values()) {
            if (s.key.peer().equals(peer)) n += s.unacked();
        }
        return n;
    }

    /** Messages not yet taken care of by their receivers, per peer. */
    Map<NodeId, Long> addUnacked(Map<NodeId, Long> into) {
        for (OutStream s : streams.values()) {
            if (s.unacked() > 0) into.merge(s.key.peer(), s.unacked(), Long::sum);
        }
        return into;
    }

    long messagesInMemory() {
        long n = 0;
        for (OutStream s : streams.values()) n += s.messagesInMemory();
        return n;
    }

    void addStats(List<StreamStats> into) {
        for (OutStream s : streams.values()) into.add(s.stats());
    }
}
