package dev.tether.internal.engine;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.RetryPolicy;
import dev.tether.TetherConfig;
import java.util.Set;

/** The settings the engine needs, detached from the public configuration so tests can build them directly. */
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
        int maxRun) {

    /** Target size of a DATA frame: big enough to amortise per-frame costs, small enough to interleave streams. */
    public static final int DATA_FRAME_TARGET = 64 * 1024;

    public EngineConfig {
        peers = Set.copyOf(peers);
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
