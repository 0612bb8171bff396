package dev.tether.internal.call;

import dev.tether.NodeId;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many calls this node has outstanding with each peer: sync and request calls whose future has not completed (by
 * the reply, a failure, the deadline, a cancellation or the node's shutdown). {@code callAny} sends to the least
 * loaded worker by it. Thread-safe: calls start on the calling thread and end on whichever thread completes them. A
 * peer with none has no entry (a node calls many peers over its life).
 */
final class Outstanding {
    private final ConcurrentHashMap<NodeId, Integer> calls = new ConcurrentHashMap<>();

    void started(NodeId peer) {
        calls.merge(peer, 1, Integer::sum);
    }

    void ended(NodeId peer) {
        calls.computeIfPresent(peer, (p, n) -> n == 1 ? null : n - 1);
    }

    /** Calls outstanding with {@code peer} now; 0 if none. */
    int of(NodeId peer) {
        return calls.getOrDefault(peer, 0);
    }

    /** Peers with an entry (for tests). */
    int peers() {
        return calls.size();
    }
}
