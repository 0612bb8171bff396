package dev.tether;

import java.util.Map;

/**
 * What {@link TetherNode#shutdown(java.time.Duration)} left behind. {@code pending} counts, per peer,
 * messages sent by this node that no receiver has acknowledged yet; they stay in the store and are
 * resent when a node with the same store starts again.
 */
public record ShutdownResult(boolean drained, long pendingTotal, Map<NodeId, Long> pending) {
    /** Copies {@code pending}, so the result stays as it was taken. */
    public ShutdownResult {
        pending = Map.copyOf(pending);
    }
}
