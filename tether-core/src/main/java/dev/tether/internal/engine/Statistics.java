package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.TetherEvent;

/**
 * The node-wide counters and the events that go with them: every protocol error, refused connection, store failure,
 * checksum mismatch and unsendable message is counted, and each kind is reported through a rate-limited bucket of its
 * own ({@link EventThrottle}), so that a store failing every retry, or a backlog of messages that do not fit a frame,
 * cannot flood the listener and the log. Per-stream counters live in the streams. Not thread-safe.
 */
final class Statistics {
    private final EngineOutput out;
    private long protocolErrors;
    private long connectionsRejected;
    private long storeFailures;
    private long checksumMismatches;
    private long unsendableMessages;
    private long framesIgnored;
    private final EventThrottle<String, TetherEvent.ConnectionRejected> rejections =
            new EventThrottle<>(TetherEvent.ConnectionRejected::new, EventThrottle::refusalKey);
    private final EventThrottle<NodeId, TetherEvent.ProtocolError> protocolErrorEvents =
            new EventThrottle<>(TetherEvent.ProtocolError::new);
    private final EventThrottle<Void, TetherEvent.StoreFailure> storeFailureEvents =
            new EventThrottle<>((none, reason, suppressed) -> new TetherEvent.StoreFailure(reason, suppressed));
    private final EventThrottle<TetherEvent.ChecksumMismatch, TetherEvent.ChecksumMismatch> checksumEvents =
            new EventThrottle<>((e, reason, suppressed) ->
                    new TetherEvent.ChecksumMismatch(e.peer(), e.lane(), e.seq(), e.where(), reason, suppressed));
    private final EventThrottle<TetherEvent.UnsendableMessage, TetherEvent.UnsendableMessage> unsendableEvents =
            new EventThrottle<>((e, reason, suppressed) ->
                    new TetherEvent.UnsendableMessage(e.to(), e.lane(), e.seq(), reason, suppressed));

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

    /** A commit or an outbox read failed: counted always; reported unless events are being rate-limited. */
    void storeFailed(long now, String reason) {
        storeFailures++;
        TetherEvent.StoreFailure e = storeFailureEvents.offer(now, null, reason);
        if (e != null) out.event(e);
    }

    /** A message did not match its checksum ({@code e}): counted always; reported unless rate-limited. */
    void checksumMismatch(long now, TetherEvent.ChecksumMismatch e) {
        checksumMismatches++;
        TetherEvent.ChecksumMismatch reported = checksumEvents.offer(now, e, e.reason());
        if (reported != null) out.event(reported);
    }

    /**
     * A stored message could not go into a DATA frame and went out as damaged in its place ({@code e}): counted
     * always; reported unless rate-limited.
     */
    void unsendable(long now, TetherEvent.UnsendableMessage e) {
        unsendableMessages++;
        TetherEvent.UnsendableMessage reported = unsendableEvents.offer(now, e, e.reason());
        if (reported != null) out.event(reported);
    }

    /**
     * A received frame, or one stream's entry of an ACK frame, was read and dropped because it is not of the current
     * state of its peer or stream (from a removed peer, of another incarnation, of a stream not open here): counted,
     * not reported, for it is no error, and the protocol recovers from it (docs/OPERATIONS.md, "frames ignored").
     */
    void frameIgnored() {
        framesIgnored++;
    }

    /** Reports the latest held-back event of each kind once its bucket allows. */
    void flushHeld(long now) {
        TetherEvent.ConnectionRejected held = rejections.flush(now);
        if (held != null) out.event(held);
        TetherEvent.ProtocolError heldError = protocolErrorEvents.flush(now);
        if (heldError != null) out.event(heldError);
        TetherEvent.StoreFailure heldFailure = storeFailureEvents.flush(now);
        if (heldFailure != null) out.event(heldFailure);
        TetherEvent.ChecksumMismatch heldMismatch = checksumEvents.flush(now);
        if (heldMismatch != null) out.event(heldMismatch);
        TetherEvent.UnsendableMessage heldUnsendable = unsendableEvents.flush(now);
        if (heldUnsendable != null) out.event(heldUnsendable);
    }

    EngineCounters counters() {
        return new EngineCounters(
                protocolErrors,
                connectionsRejected,
                storeFailures,
                checksumMismatches,
                unsendableMessages,
                framesIgnored);
    }
}
