package dev.tether.internal.call;

import dev.tether.CallKind;
import dev.tether.DeadlineExceededException;
import dev.tether.DuplicateCallException;
import dev.tether.Lanes;
import dev.tether.MessageId;
import dev.tether.NoSuchHandlerException;
import dev.tether.NodeClosedException;
import dev.tether.RemoteHandlerException;
import dev.tether.Reply;
import dev.tether.TetherException;
import dev.tether.VolatileLostException;
import dev.tether.bus.Address;
import dev.tether.bus.NoSuchEndpointException;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.RoutedDelivery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The calling side: calls waiting for replies, their deadlines, and the matching of replies. Owned by the node
 * thread (every method runs there), so a call's future is completed exactly once: by its reply, its deadline, the
 * failure of its send, or the node's shutdown, whichever comes first; the others then find nothing to do.
 */
final class Caller {
    private final CallHost host;
    private final CallCounters counters;
    private final DeadlineHeap<PendingCall> deadlines = new DeadlineHeap<>();
    private final Map<CallKey, PendingCall> stored = new HashMap<>();

    Caller(CallHost host, CallCounters counters) {
        this.host = host;
        this.counters = counters;
    }

    /** The call reached the node thread: its deadline runs from now on. */
    void track(PendingCall p) {
        if (!p.future.isDone()) deadlines.add(p);
    }

    void stored(PendingCall p, CallKey key) {
        // Cancelled before it was taken, its cancel's task may not have run yet (a volatile send is stored in the
        // turn that took it): the future says so already.
        if (p.cancelled || p.withdrawn()) {
            host.cancel(key.callee(), key.lane(), key.seq());
            return;
        }
        if (p.heapIndex < 0) return; // already completed (its deadline passed while it was being stored)
        p.key = key;
        stored.put(key, p);
    }

    /** Its send failed: nothing was stored. May run off the node thread once the node has stopped. */
    void failed(PendingCall p, TetherException e) {
        if (host.onNodeThread()) forget(p);
        p.fail(e);
    }

    private void forget(PendingCall p) {
        deadlines.remove(p);
        if (p.key != null) stored.remove(p.key);
    }

    /**
     * The application cancelled {@code p}'s future, or completed it itself (node thread): it stops waiting, and the
     * call is withdrawn at the called node, now or as soon as it is stored.
     */
    void withdrawn(PendingCall p) {
        // Only a future the node had not completed comes here: an answered, failed or expired call never does.
        counters.callsCancelled.incrementAndGet();
        forget(p);
        if (p.key != null) host.cancel(p.key.callee(), p.key.lane(), p.key.seq());
        else p.cancelled = true;
    }

    /** Node thread, every turn: calls whose deadline passed fail now. */
    void tick(long now) {
        deadlines.expire(now, p -> {
            if (p.key != null) stored.remove(p.key);
            expired(p);
        });
    }

    private void expired(PendingCall p) {
        boolean failed = p.fail(new DeadlineExceededException(p.callee, p.handler, Instant.ofEpochMilli(p.deadline)));
        if (failed) counters.deadlinesExceeded.incrementAndGet();
    }

    /**
     * A reply arrived (node thread): complete its call, or drop and count it. Always acknowledged. A reply is seen
     * even after its time to live (the call's deadline), so that a late one is counted here.
     */
    void reply(RoutedDelivery d) {
        Map<String, String> h = d.headers();
        Correlation c = Correlation.parse(h.get(CallHeaders.CORRELATION));
        // A reply to an earlier incarnation of this node (a wiped store numbers its calls from 1 again, a restarted
        // process its volatile ones) is not ours.
        PendingCall p = c == null || c.epoch() != expectedEpoch(c) ? null : stored.remove(c.key(d.from()));
        if (p == null) {
            counters.repliesDropped.incrementAndGet(); // late, or for a call of an earlier process
            d.ack();
            return;
        }
        deadlines.remove(p);
        if (host.clock().millis() >= p.deadline) { // before this turn's tick: the deadline wins all the same
            expired(p);
            counters.repliesDropped.incrementAndGet();
            d.ack();
            return;
        }
        boolean completed = complete(p, d, c);
        (completed ? counters.repliesMatched : counters.repliesDropped).incrementAndGet();
        d.ack();
    }

    /** The error of a duplicate call; {@code original} is the original call's {@code lane#seq}. */
    private static TetherException duplicate(PendingCall p, String original) {
        int hash = original.lastIndexOf('#');
        try {
            long seq = Long.parseLong(original.substring(hash + 1));
            return new DuplicateCallException(
                    p.callee, p.handler, new MessageId(p.callee, original.substring(0, hash), seq));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return new RemoteHandlerException(p.callee, p.handler, CallHeaders.DUPLICATE, original);
        }
    }

    /** The error of a call to endpoint {@code agent} that its node does not have. */
    private static TetherException noSuchEndpoint(PendingCall p, String agent) {
        try {
            return new NoSuchEndpointException(Address.of(p.callee, agent));
        } catch (IllegalArgumentException invalid) { // a broken peer: InvalidIdException is one
            return new RemoteHandlerException(p.callee, p.handler, CallHeaders.NO_SUCH_ENDPOINT, agent);
        }
    }

    /** The sender epoch a call on the correlation's lane was made under: the boot id for a volatile stream. */
    private long expectedEpoch(Correlation c) {
        return Lanes.isVolatile(c.lane()) ? host.bootId() : host.epoch();
    }

    private boolean complete(PendingCall p, RoutedDelivery d, Correlation c) {
        Map<String, String> h = d.headers();
        String errorType = h.get(CallHeaders.ERROR_TYPE);
        if (errorType != null) {
            String message = h.getOrDefault(CallHeaders.ERROR_MESSAGE, "");
            TetherException e = CallHeaders.NO_SUCH_HANDLER.equals(errorType)
                    ? new NoSuchHandlerException(p.callee, p.handler)
                    : CallHeaders.DUPLICATE.equals(errorType)
                            ? duplicate(p, message)
                            : CallHeaders.NO_SUCH_ENDPOINT.equals(errorType)
                                    ? noSuchEndpoint(p, message)
                                    : new RemoteHandlerException(p.callee, p.handler, errorType, message);
            return p.fail(e);
        }
        if (p.kind == CallKind.SYNC) return p.complete(null);
        MessageId id = new MessageId(p.callee, c.lane(), c.seq());
        return p.complete(new Reply(p.callee, id, CallHeaders.application(h), d.payloadBytes()));
    }

    /**
     * The callee of volatile stream {@code key} restarted (node thread): the calls made on it up to {@code upToSeq}
     * that still wait fail, their requests or replies being lost with the callee's process.
     */
    void lost(StreamKey key, long upToSeq) {
        List<PendingCall> lost = new ArrayList<>();
        for (Iterator<Map.Entry<CallKey, PendingCall>> it = stored.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<CallKey, PendingCall> e = it.next();
            CallKey k = e.getKey();
            if (k.seq() <= upToSeq && k.callee().equals(key.peer()) && k.lane().equals(key.lane())) {
                it.remove();
                lost.add(e.getValue());
            }
        }
        for (PendingCall p : lost) {
            deadlines.remove(p);
            if (p.fail(new VolatileLostException(p.callee, p.handler))) {
                counters.volatileLost.incrementAndGet();
            }
        }
    }

    /** Calls waiting for a reply now (node thread). */
    int size() {
        return deadlines.size();
    }

    /** The node stops (node thread): every waiting call fails. */
    void failAll(NodeClosedException e) {
        List<PendingCall> all = new ArrayList<>();
        deadlines.expire(Long.MAX_VALUE, all::add);
        stored.clear();
        for (PendingCall p : all) p.fail(e);
    }
}
