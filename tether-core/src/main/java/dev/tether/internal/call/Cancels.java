package dev.tether.internal.call;

import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.internal.engine.StreamKey;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The called side of cancellation: calls running now, and cancels that came for calls handed to this layer but not
 * started yet. A cancel ({@link #cancelled}, node thread) and the start of a call ({@link #starting}, the handler's
 * thread) may race; each checks the other's record after writing its own, and whichever takes the cancel's record
 * back decides: either the call is skipped (counted as cancelled before its start) or it runs and sees the cancel
 * (counted as cancelled while running), never both.
 *
 * <p>A call is named by its stream <em>and the sender's incarnation</em> ({@code senderEpoch}): a sender that wiped
 * its store or restarted a volatile stream numbers its calls from 1 again, and a cancel of the earlier incarnation's
 * call must not skip the later one's call of the same number.
 *
 * <p>Bounded: cancels of calls not started are kept per stream, for the latest incarnation a cancel came from only
 * (the engine passes on cancels of the stream's current incarnation only); one is dropped when its call starts or is
 * settled without starting (also when it expired in its run before it reached the call layer: {@code
 * Router.expiredUnconsumed}), when a call of that stream {@link HandlerOptions#MAX_CONCURRENCY} further on starts (an
 * earlier one can no longer start then, even on a concurrent handler), when its peer is removed, and the lowest one
 * when a stream has {@link #MAX_PER_STREAM} (cancellation is best effort).
 */
final class Cancels {
    /** Most cancels kept per stream for calls not started. */
    static final int MAX_PER_STREAM = 1024;

    /** A call as a cancel names it: its stream, its sender's incarnation and its place in the stream. */
    record CallId(NodeId peer, String lane, long senderEpoch, long seq) {
        CallId(StreamKey key, long senderEpoch, long seq) {
            this(key.peer(), key.lane(), senderEpoch, seq);
        }
    }

    /** Cancels of one incarnation of a stream; the set is only touched under the map's lock of its stream. */
    private record Withdrawn(long senderEpoch, NavigableSet<Long> seqs) {}

    private final ConcurrentHashMap<StreamKey, Withdrawn> notStarted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<CallId, IncomingCall> running;

    Cancels() {
        this(new ConcurrentHashMap<>());
    }

    /** With {@code running} as the map of running calls (a test's, to interleave with a cancel). */
    Cancels(ConcurrentHashMap<CallId, IncomingCall> running) {
        this.running = running;
    }

    /**
     * The caller withdrew call {@code seq} of {@code key}, incarnation {@code senderEpoch} (node thread): returns the
     * running call if the cancel is for it to act on; null if the call is to be skipped when it starts.
     */
    IncomingCall cancelled(StreamKey key, long senderEpoch, long seq) {
        CallId id = new CallId(key, senderEpoch, seq);
        IncomingCall c = running.get(id);
        if (c != null) return c;
        notStarted.compute(key, (k, w) -> {
            // the engine passes on cancels of the stream's current incarnation: another one's are stale
            Withdrawn kept =
                    w != null && w.senderEpoch() == senderEpoch ? w : new Withdrawn(senderEpoch, new TreeSet<>());
            kept.seqs().add(seq);
            if (kept.seqs().size() > MAX_PER_STREAM) kept.seqs().pollFirst();
            return kept;
        });
        c = running.get(id);
        // It started meanwhile, maybe without seeing the record just made: whoever takes the record back decides.
        return c != null && take(key, senderEpoch, seq) ? c : null;
    }

    /** Call {@code seq} of {@code key} is about to start; false if it was cancelled: then it must not start. */
    boolean starting(StreamKey key, long senderEpoch, long seq) {
        if (notStarted.get(key) == null) return true;
        boolean[] cancelled = {false};
        notStarted.computeIfPresent(key, (k, w) -> {
            if (w.senderEpoch() != senderEpoch) return w;
            // Calls of this stream this far below can no longer start (even concurrent ones start in order, at
            // most MAX_CONCURRENCY apart): their cancels came too late.
            w.seqs().headSet(seq - HandlerOptions.MAX_CONCURRENCY).clear();
            cancelled[0] = w.seqs().remove(seq);
            return w.seqs().isEmpty() ? null : w;
        });
        return !cancelled[0];
    }

    /**
     * Takes back the cancel of call {@code seq} of {@code key}, incarnation {@code senderEpoch}; false if there is
     * none. For a call that was settled without starting, and for the race of {@link #cancelled} with the start.
     */
    boolean take(StreamKey key, long senderEpoch, long seq) {
        if (notStarted.get(key) == null) return false;
        boolean[] taken = {false};
        notStarted.computeIfPresent(key, (k, w) -> {
            if (w.senderEpoch() != senderEpoch) return w;
            taken[0] = w.seqs().remove(seq);
            return w.seqs().isEmpty() ? null : w;
        });
        return taken[0];
    }

    /** {@code call} runs now: a cancel finds it. */
    void running(StreamKey key, IncomingCall call) {
        running.put(new CallId(key, call.delivery.senderEpoch(), call.seq()), call);
    }

    /** Whether a cancel of {@code call} arrived between {@link #starting} and {@link #running}: it is taken. */
    boolean cancelledBeforeRunning(StreamKey key, IncomingCall call) {
        return take(key, call.delivery.senderEpoch(), call.seq());
    }

    /** {@code call} is over. */
    void finished(StreamKey key, IncomingCall call) {
        running.remove(new CallId(key, call.delivery.senderEpoch(), call.seq()), call);
    }

    /** {@code peer} was removed: its cancels are dropped (its running calls end by themselves). */
    void forget(NodeId peer) {
        notStarted.keySet().removeIf(k -> k.peer().equals(peer));
    }

    /** Cancels kept for calls not started, over all streams (for tests; quiescent). */
    int notStarted() {
        int n = 0;
        for (StreamKey k : notStarted.keySet()) {
            Withdrawn w = notStarted.computeIfPresent(k, (x, v) -> v);
            if (w != null) n += w.seqs().size();
        }
        return n;
    }

    /** Calls running now (for tests). */
    int running() {
        return running.size();
    }
}
