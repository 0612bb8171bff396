package dev.tether.internal.engine;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.RetryPolicy;
import dev.tether.TetherConfig;
import java.util.Set;

/**
 * The settings the engine needs, detached from the public configuration so tests can build them directly.
 *
 * @param maxBatchesInFlight store batches handed to the writer and not yet answered, at most (1 = no pipelining)
 * @param maxBatchMessages sends per store batch, at most; more waiting sends go into later batches
 */
public record EngineConfig(
        NodeId self,
        Set<NodeId> peers,
        int window,
        int maxFrameBytes,
        long maxQueuedPerStream,
        long retransmitMillis,
        long maxRetransmitMillis,
        RetryPolicy retryPolicy,
        FailurePolicy failurePolicy,
        int maxRun,
        int maxBatchesInFlight,
        int maxBatchMessages) {

    /** Target size of a DATA frame: big enough to amortise per-frame costs, small enough to interleave streams. */
    public static final int DATA_FRAME_TARGET = 64 * 1024;

    /**
     * Two: the writer starts the next commit the moment one ends, without waiting for the node thread to apply
     * the results and build the next batch. More would only queue further batches behind the writer.
     */
    public static final int DEFAULT_MAX_BATCHES_IN_FLIGHT = 2;

    /**
     * Bounds the rows of one commit, so that a backlog (after a stall, or at full rate) goes to disk in steps of
     * about 20 ms of row work (SQLite costs about 4.5 µs per outbox row on the bench machine) instead of one
     * transaction of hundreds of ms. Each commit also has a fixed cost (an fsync, and about a millisecond of CPU
     * over both nodes): 1,024 cost about a third more CPU per message at full rate, 4,096 none. At half load
     * batches hold tens to hundreds of messages, far below the cap. See docs/BENCHMARKS.md.
     */
    public static final int DEFAULT_MAX_BATCH_MESSAGES = 4096;

    public EngineConfig {
        peers = Set.copyOf(peers);
        if (maxBatchesInFlight < 1) throw new IllegalArgumentException("maxBatchesInFlight " + maxBatchesInFlight);
        if (maxBatchMessages < 1) throw new IllegalArgumentException("maxBatchMessages " + maxBatchMessages);
    }

    /** With the default store batching. */
    public EngineConfig(
            NodeId self,
            Set<NodeId> peers,
            int window,
            int maxFrameBytes,
            long maxQueuedPerStream,
            long retransmitMillis,
            long maxRetransmitMillis,
            RetryPolicy retryPolicy,
            FailurePolicy failurePolicy,
            int maxRun) {
        this(
                self,
                peers,
                window,
                maxFrameBytes,
                maxQueuedPerStream,
                retransmitMillis,
                maxRetransmitMillis,
                retryPolicy,
                failurePolicy,
                maxRun,
                DEFAULT_MAX_BATCHES_IN_FLIGHT,
                DEFAULT_MAX_BATCH_MESSAGES);
    }

    public static EngineConfig from(TetherConfig c, int maxRun) {
        return new EngineConfig(
                c.nodeId(),
                c.peers(),
                c.window(),
                Math.min(
                        c.transport().maxFrameBytes(),
                        c.maxMessageBytes() + TetherConfig.FRAME_OVERHEAD + DATA_FRAME_TARGET),
                c.maxQueuedPerStream(),
                c.retransmitTimeout().toMillis(),
                c.maxRetransmitTimeout().toMillis(),
                c.retryPolicy(),
                c.failurePolicy(),
                maxRun);
    }

    /** Outbound messages kept in memory per stream; older unsent ones are paged from the store. */
    public int outboundCache() {
        return Math.max(2 * window, 256);
    }
}
