package dev.tether.internal.call;

import dev.tether.NodeId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many calls this node has outstanding with each peer: sync and request calls whose future has not completed (by
 * the reply, a failure, the deadline, a cancellation or the node's shutdown). {@code callAny} sends to the least
 * loaded worker by it. Thread-safe: calls start on the calling thread and end on whichever thread completes them.
 */
final class Outstanding {
    private final ConcurrentHashMap<NodeId, AtomicInteger> calls = new ConcurrentHashMap<>();

    void started(NodeId peer) {
        calls.computeIfAbsent(peer, p -> new AtomicInteger()).incrementAndGet();
    }

    void ended(NodeId peer) {
        AtomicInteger n = calls.get(peer);
        if (n != null) n.decrementAndGet();
    }

    /** Calls outstanding with {@code peer} now; 0 if none. */
    int of(NodeId peer) {
        AtomicInteger n = calls.get(peer);
        return n == null ? 0 : n.get();
    }
}
