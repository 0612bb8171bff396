package dev.tether.internal.call;

import dev.tether.CallKind;
import dev.tether.NodeId;
import dev.tether.TetherException;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.SendHook;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link CallKind#SYNC} or {@link CallKind#REQUEST} call waiting for its reply. It is tracked from the moment it
 * reaches the node thread (so its deadline holds even if it is never stored), and indexed by its sequence number
 * once stored (before it can be transmitted, so before any reply to it can arrive). Node thread only, except the
 * future.
 */
final class PendingCall extends Timed implements SendHook {
    final CallKind kind;
    final NodeId callee;
    final String handler;
    /** A {@code Void} future for a sync call, a {@code Reply} future for a request. */
    final CompletableFuture<Object> future;

    private final Caller caller;
    CallKey key;
    /** The application cancelled the future before the call was stored: withdraw it once it is. */
    boolean cancelled;

    PendingCall(
            CallKind kind,
            NodeId callee,
            String handler,
            long deadline,
            CompletableFuture<Object> future,
            Caller caller) {
        super(deadline);
        this.kind = kind;
        this.callee = callee;
        this.handler = handler;
        this.future = future;
        this.caller = caller;
    }

    @Override
    public void submitted(long now) {
        caller.track(this);
    }

    @Override
    public void accepted(StreamKey stream, long seq) {
        caller.stored(this, new CallKey(stream.peer(), stream.lane(), seq));
    }

    @Override
    public void rejected(TetherException error) {
        caller.failed(this, error);
    }
}
