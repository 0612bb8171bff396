package dev.tether.internal.call;

import dev.tether.CallKind;
import dev.tether.NodeId;
import dev.tether.TetherException;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.SendHook;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
    /** Where the call counts as outstanding with its callee until its future completes; null: nowhere. */
    private volatile Outstanding outstanding;
    /** The node completed (or tried to complete) the future, after forgetting the call: nothing to withdraw. */
    private volatile boolean byNode;

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

    /** The call counts in {@code o} from now until its future completes (any thread). */
    void countIn(Outstanding o) {
        o.started(callee);
        outstanding = o;
        future.whenComplete((v, e) -> release()); // completed by the application itself, or cancelled
    }

    /** No longer outstanding; done before the future completes, so its waiter already sees the lower count. */
    private void release() {
        Outstanding o = outstanding;
        if (o != null && OUTSTANDING.compareAndSet(this, o, null)) o.ended(callee);
    }

    /** Completes the future with {@code value}; false if it was completed already. */
    boolean complete(Object value) {
        byNode = true;
        release();
        return future.complete(value);
    }

    /** Fails the future with {@code e}; false if it was completed already. */
    boolean fail(Throwable e) {
        byNode = true;
        release();
        return future.completeExceptionally(e);
    }

    /**
     * Whether the application withdrew the call: it cancelled the future, or completed it itself ({@code orTimeout}
     * does) before the node did. A call the node was completing when the application completed it otherwise is not
     * withdrawn: the node had forgotten it already, and its callee has answered, expired or lost it.
     */
    boolean withdrawn() {
        return future.isCancelled() || future.isDone() && !byNode;
    }

    /** Releases each call once, whichever thread completes it first, with no lock or extra object per call. */
    private static final VarHandle OUTSTANDING;

    static {
        try {
            OUTSTANDING = MethodHandles.lookup().findVarHandle(PendingCall.class, "outstanding", Outstanding.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
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
