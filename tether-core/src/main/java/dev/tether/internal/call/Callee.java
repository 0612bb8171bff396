package dev.tether.internal.call;

import dev.tether.CallKind;
import dev.tether.Lanes;
import dev.tether.MessageTooLargeException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.RoutedDelivery;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The called side: runs a call's handler right after checking its deadline, and settles the call with its reply.
 * A {@link CallKind#TELL} is acknowledged when its handler returns and failed (retried) when it throws; a {@link
 * CallKind#SYNC} or {@link CallKind#REQUEST} is acknowledged with its reply, an error reply if the handler threw:
 * the failure is the answer, not a reason to run the handler again.
 */
final class Callee {
    private final CallHost host;
    private final CallCounters counters;
    private HandlerWaiters waiters;
    private final Cancels cancels;

    Callee(CallHost host, CallCounters counters) {
        this(host, counters, new Cancels());
    }

    Callee(CallHost host, CallCounters counters, Cancels cancels) {
        this.host = host;
        this.counters = counters;
        this.cancels = cancels;
    }

    Cancels cancels() {
        return cancels;
    }

    void waiters(HandlerWaiters waiters) {
        this.waiters = waiters;
    }

    /** On the handler's thread: checks for a cancel and the deadline, then hands the call to {@code h}. */
    void run(RegisteredHandler h, RoutedDelivery d) {
        String code = d.headers().get(CallHeaders.KIND); // none: a plain message a routing rule handed to h
        CallKind kind = code == null ? CallKind.TELL : CallHeaders.kind(code);
        if (!cancels.starting(d.key(), d.senderEpoch(), d.seq())) {
            skipped(d);
            return;
        }
        if (d.expiredNow()) {
            d.expire();
            return;
        }
        IncomingCall call = new IncomingCall(d, kind, h.name, host.id());
        cancels.running(d.key(), call);
        if (cancels.cancelledBeforeRunning(d.key(), call)) {
            cancels.finished(d.key(), call);
            skipped(d);
            return;
        }
        if (!h.enter()) { // removed since the call was routed to it
            cancels.finished(d.key(), call);
            missing(d, kind, h.name);
            return;
        }
        h.begin();
        if (h.sync != null) {
            byte[] result = null;
            Throwable failure = null;
            try {
                result = h.sync.handle(call);
            } catch (Throwable e) { // even an Error: an unsettled call would stall its stream forever
                failure = e;
            }
            finish(call, result, failure);
            return;
        }
        CompletionStage<byte[]> stage;
        try {
            stage = h.async.handle(call);
        } catch (Throwable e) {
            finish(call, null, e);
            return;
        }
        if (stage == null) {
            finish(call, null, new NullPointerException("async handler '" + h.name + "' returned a null stage"));
            return;
        }
        stage.whenComplete((result, failure) -> finish(call, result, unwrap(failure)));
    }

    /** The handler's executor refused the call: it fails as if the handler had thrown that. */
    void rejected(RegisteredHandler h, RoutedDelivery d, RejectedExecutionException e) {
        if (skippedIfWithdrawn(d)) return; // it would not have run anyway
        String code = d.headers().get(CallHeaders.KIND); // none: a plain message a routing rule handed to h
        CallKind kind = code == null ? CallKind.TELL : CallHeaders.kind(code);
        finish(new IncomingCall(d, kind, h.name, host.id()), null, e);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The handler returned {@code result} or failed with {@code failure}: settle the call. */
    private void finish(IncomingCall call, byte[] result, Throwable failure) {
        cancels.finished(call.delivery.key(), call);
        counters.callsHandled.incrementAndGet();
        RoutedDelivery d = call.delivery;
        if (failure != null) counters.handlerFailures.incrementAndGet();
        if (call.kind == CallKind.TELL) {
            if (failure == null) {
                d.ack();
            } else {
                String reason = failure.getClass().getName() + ": " + failure.getMessage();
                host.post(now -> host.emit(new TetherEvent.ApplicationError("handler '" + call.handler + "'", reason)));
                d.fail(reason);
            }
            return;
        }
        Effect reply = failure != null
                ? errorReply(call, failure.getClass().getName(), failure.getMessage())
                : reply(call, call.kind == CallKind.REQUEST && result != null ? result : new byte[0]);
        d.ackWith(reply);
    }

    private Effect reply(IncomingCall call, byte[] payload) {
        Map<String, String> headers = call.replyHeaders(
                Map.of(CallHeaders.KIND, CallHeaders.REPLY, CallHeaders.CORRELATION, correlation(call.delivery)));
        long size = (long) payload.length + host.headersSize(headers);
        if (size > host.maxMessageBytes()) {
            return errorReply(
                    call,
                    MessageTooLargeException.class.getName(),
                    "the reply of " + size
                            + " bytes (payload " + payload.length + " + headers) exceeds maxMessageBytes "
                            + host.maxMessageBytes() + " of node " + host.id());
        }
        return effect(call.delivery, headers, payload);
    }

    private Effect errorReply(IncomingCall call, String type, String message) {
        return errorReply(call.delivery, type, message);
    }

    private Effect errorReply(RoutedDelivery d, String type, String message) {
        Map<String, String> headers = Map.of(
                CallHeaders.KIND,
                CallHeaders.REPLY,
                CallHeaders.CORRELATION,
                correlation(d),
                CallHeaders.ERROR_TYPE,
                type,
                CallHeaders.ERROR_MESSAGE,
                CallHeaders.errorMessage(message));
        return effect(d, headers, new byte[0]);
    }

    /** Answers request {@code d} (a system handler's) with {@code payload}. */
    void answer(RoutedDelivery d, byte[] payload) {
        Map<String, String> headers =
                Map.of(CallHeaders.KIND, CallHeaders.REPLY, CallHeaders.CORRELATION, correlation(d));
        d.ackWith(effect(d, headers, payload));
    }

    /** Answers sync or request {@code d} (a system handler's) with an error reply of {@code type}. */
    void refuse(RoutedDelivery d, String type, String message) {
        d.ackWith(errorReply(d, type, message));
    }

    /**
     * A call to endpoint {@code agent}, which this node does not have: a tell is settled without processing ({@link
     * Outcome#NO_SUCH_ENDPOINT}), a sync or request answered with an error reply saying so.
     */
    void noSuchEndpoint(RoutedDelivery d, CallKind kind, String agent) {
        if (skippedIfWithdrawn(d)) return;
        if (kind == CallKind.TELL) d.settleWithout(Outcome.NO_SUCH_ENDPOINT);
        else d.refuseWith(errorReply(d, CallHeaders.NO_SUCH_ENDPOINT, agent)); // not processed: its key stays free
    }

    /** A sync or request not executed: its idempotency key was processed with call {@code lane#seq} already. */
    void duplicate(RoutedDelivery d, String originalLane, long originalSeq) {
        if (skippedIfWithdrawn(d)) return;
        d.ackWith(errorReply(d, CallHeaders.DUPLICATE, originalLane + "#" + originalSeq));
    }

    private static String correlation(RoutedDelivery d) {
        return CallHeaders.correlation(d.lane(), d.seq(), d.senderEpoch());
    }

    /**
     * A reply travels back on the reserved lane (the volatile one for a volatile call: it is never stored either)
     * and expires with the call: nobody waits for it after that.
     */
    private static Effect effect(RoutedDelivery d, Map<String, String> headers, byte[] payload) {
        String lane = Lanes.isVolatile(d.lane()) ? Lanes.VOLATILE_REPLY : Lanes.REPLY;
        return new Effect(d.from(), lane, headers, payload, d.expiresAtMillis());
    }

    /**
     * The caller (incarnation {@code senderEpoch}) withdrew call {@code seq} of {@code key} after it was handed to
     * this layer (node thread): a call waiting for its handler is settled now, one not started yet is skipped when its
     * turn comes; a running one is flagged and its {@code onCancel} actions run.
     */
    void cancelled(StreamKey key, long senderEpoch, long seq) {
        RoutedDelivery parked = waiters.withdraw(new Cancels.CallId(key, senderEpoch, seq));
        if (parked != null) {
            skipped(parked); // its lane waited behind it: it moves on now
            return;
        }
        IncomingCall running = cancels.cancelled(key, senderEpoch, seq);
        if (running == null) return;
        if (!running.isCancelled()) counters.cancelledWhileRunning.incrementAndGet(); // a repeated CANCEL counts once
        for (Runnable action : running.cancel()) {
            try {
                action.run();
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) { // the next still run
                host.emit(new TetherEvent.ApplicationError(
                        "onCancel of handler '" + running.handler + "'",
                        e.getClass().getName() + ": " + e.getMessage()));
            }
        }
    }

    /**
     * No handler {@code name} (any thread): wait for one if the caller asked to and the call has a deadline to bound
     * the wait, else answer that there is none.
     */
    void missing(RoutedDelivery d, CallKind kind, String name) {
        if (d.expiresAtMillis() != 0 && "1".equals(d.headers().get(CallHeaders.WAIT))) {
            // A cancel that came before the call reached the waiters is with the cancels: it is skipped there.
            host.post(now -> {
                if (!skippedIfWithdrawn(d)) waiters.park(now, name, d);
            });
            return;
        }
        missingNow(d, kind, name);
    }

    /** No handler {@code name}: answers that there is none, whether or not the caller asked to wait. */
    void missingNow(RoutedDelivery d, CallKind kind, String name) {
        if (skippedIfWithdrawn(d)) return;
        counters.noSuchHandler.incrementAndGet();
        if (kind == CallKind.TELL) {
            d.settleWithout(Outcome.NO_SUCH_HANDLER);
        } else {
            d.refuseWith(errorReply(d, CallHeaders.NO_SUCH_HANDLER, name)); // not processed: its key stays free
        }
    }

    /**
     * Settles {@code d}, about to be settled without its handler, as cancelled if its caller withdrew it already
     * (the cancel is taken: nothing is kept for a call that will never start); false if it was not withdrawn.
     */
    boolean skippedIfWithdrawn(RoutedDelivery d) {
        if (!cancels.take(d.key(), d.senderEpoch(), d.seq())) return false;
        skipped(d);
        return true;
    }

    /** {@code d} was withdrawn before its handler started: never executed, settled as cancelled, counted. */
    private void skipped(RoutedDelivery d) {
        counters.cancelledBeforeStart.incrementAndGet();
        d.settleWithout(Outcome.CANCELLED);
    }

    /** {@code peer} was removed (node thread): its cancels of calls not started are dropped. */
    void forget(NodeId peer) {
        cancels.forget(peer);
    }
}
