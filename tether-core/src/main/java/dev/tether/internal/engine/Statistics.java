package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.TetherEvent;

/**
 * The node-wide counters and the events that go with them: every protocol error, refused connection and store
 * failure is counted; protocol errors and refused connections are reported through rate-limited buckets ({@link
 * EventThrottle}), store failures always. Per-stream counters live in the streams. Not thread-safe.
 */
final class Statistics {
    private final EngineOutput out;
    private long protocolErrors;
    private long connectionsRejected;
    private long storeFailures;
    private final EventThrottle<String, TetherEvent.ConnectionRejected> rejections =
            new EventThrottle<>(TetherEvent.ConnectionRejected::new);
    private final EventThrottle<NodeId, TetherEvent.ProtocolError> protocolErrorEvents =
            new EventThrottle<>(TetherEvent.ProtocolError::new);

    Statistics(EngineOutput out) {
        this.out = out;
    }

    /** Counted always; reported unless events are being rate-limited. */
    void protocolError(long now, NodeId peer, String reason) {
        protocolErrors++;
        TetherEvent.ProtocolError e = protocolErrorEvents.offer(now, peer, reason);
        if (e != null) out.event(e);
    }

    /** Counted always; reported unless events are being rate-limited. */
    void connectionRejected(long now, String remote, String reason) {
        connectionsRejected++;
        TetherEvent.ConnectionRejected e = rejections.offer(now, remote, reason);
        if (e != null) out.event(e);
    }

    /** A commit or an outbox read failed: counted and reported. */
    void storeFailed(String reason) {
        storeFailures++;
        out.event(new TetherEvent.StoreFailure(reason));
    }

    /** Reports the latest held-back rejection and protocol error once their buckets allow. */
    void flushHeld(long now) {
        TetherEvent.ConnectionRejected held = rejections.flush(now);
        if (held != null) out.event(held);
        TetherEvent.ProtocolError heldError = protocolErrorEvents.flush(now);
        if (heldError != null) out.event(heldError);
    }

    long protocolErrors() {
        return protocolErrors;
    }

    long connectionsRejected() {
        return connectionsRejected;
    }

    long storeFailures() {
        return storeFailures;
    }
}
