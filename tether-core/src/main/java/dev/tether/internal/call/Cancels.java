package dev.tether.internal.call;

import dev.tether.HandlerOptions;
import dev.tether.internal.engine.StreamKey;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The called side of cancellation: calls running now, and cancels that came for calls handed to this layer but not
 * started yet. A cancel ({@link #cancelled}, node thread) and the start of a call ({@link #starting}, the handler's
 * thread) may race; each checks the other's record after writing its own, so either the call is skipped or it
 * runs and sees the cancel.
 *
 * <p>Cancels of calls not started are kept per stream and dropped as soon as a call of that stream {@link
 * HandlerOptions#MAX_CONCURRENCY} further on starts (an earlier one can no longer start then, even on a concurrent
 * handler), so they never outnumber the calls waiting by more than that.
 */
final class Cancels {
    private final ConcurrentHashMap<StreamKey, NavigableSet<Long>> notStarted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<CallKey, IncomingCall> running = new ConcurrentHashMap<>();

    /** The caller withdrew call {@code seq} of {@code key} (node thread): the running call if there is one. */
    IncomingCall cancelled(StreamKey key, long seq) {
        CallKey k = new CallKey(key.peer(), key.lane(), seq);
        IncomingCall c = running.get(k);
        if (c != null) return c;
        notStarted.computeIfAbsent(key, x -> new ConcurrentSkipListSet<>()).add(seq);
        return running.get(k); // it may have started meanwhile, without seeing the cancel just recorded
    }

    /** Call {@code seq} of {@code key} is about to start; false if it was cancelled: then it must not start. */
    boolean starting(StreamKey key, long seq) {
        NavigableSet<Long> cancels = notStarted.get(key);
        if (cancels == null) return true;
        // Calls of this stream this far below can no longer start (even concurrent ones start in order, at most
        // MAX_CONCURRENCY apart): their cancels came too late.
        cancels.headSet(seq - HandlerOptions.MAX_CONCURRENCY).clear();
        return !cancels.remove(seq);
    }

    /** {@code call} runs now: a cancel finds it. */
    void running(StreamKey key, IncomingCall call) {
        running.put(new CallKey(key.peer(), key.lane(), call.seq()), call);
    }

    /** Whether a cancel of {@code call} arrived between {@link #starting} and {@link #running}. */
    boolean cancelledBeforeRunning(StreamKey key, IncomingCall call) {
        NavigableSet<Long> cancels = notStarted.get(key);
        return cancels != null && cancels.remove(call.seq());
    }

    /** {@code call} is over. */
    void finished(StreamKey key, IncomingCall call) {
        running.remove(new CallKey(key.peer(), key.lane(), call.seq()), call);
    }

    /** Calls running now (for tests). */
    int running() {
        return running.size();
    }
}
