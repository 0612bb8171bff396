package dev.tether.internal.call;

import dev.tether.internal.runtime.RoutedDelivery;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Calls that asked to wait for a handler not registered yet ({@code Call.waitForHandler()}). Each waits at the head of
 * its stream, so later calls on that lane wait behind it, until its handler is registered (it is then handed over)
 * or its deadline passes (it is then settled as expired), or its caller withdraws it (it is then settled as cancelled:
 * the lane moves on). Owned by the node thread: other threads reach it through
 * {@link CallHost#post}, and a registration is announced there after it became visible in the registry, so a call
 * parked concurrently with a registration always sees one or the other.
 */
final class HandlerWaiters {
    private static final class Waiting extends Timed {
        final String name;
        final RoutedDelivery delivery;

        Waiting(String name, RoutedDelivery delivery) {
            super(delivery.expiresAtMillis());
            this.name = name;
            this.delivery = delivery;
        }
    }

    private final CallHost host;
    private final Map<String, ArrayDeque<Waiting>> byName = new HashMap<>();
    /** The same calls by id, where a cancel finds them. */
    private final Map<Cancels.CallId, Waiting> byCall = new HashMap<>();

    private final DeadlineHeap<Waiting> deadlines = new DeadlineHeap<>();
    private HandlerRegistry registry;

    HandlerWaiters(CallHost host) {
        this.host = host;
    }

    void registry(HandlerRegistry registry) {
        this.registry = registry;
    }

    /** Node thread: {@code d}, a call of {@code name} with a deadline, waits for its handler. */
    void park(long now, String name, RoutedDelivery d) {
        RegisteredHandler h = registry.find(name);
        if (h != null) {
            dispatch(h, d);
        } else if (d.expiresAtMillis() <= now) {
            d.expire();
        } else {
            Waiting w = new Waiting(name, d);
            byName.computeIfAbsent(name, k -> new ArrayDeque<>()).add(w);
            byCall.put(idOf(d), w);
            deadlines.add(w);
        }
    }

    /** Node thread: the call {@code id} stops waiting, withdrawn by its caller; its delivery, or null if not here. */
    RoutedDelivery withdraw(Cancels.CallId id) {
        Waiting w = byCall.remove(id);
        if (w == null) return null;
        deadlines.remove(w);
        dequeue(w);
        return w.delivery;
    }

    private static Cancels.CallId idOf(RoutedDelivery d) {
        return new Cancels.CallId(d.key(), d.senderEpoch(), d.seq());
    }

    private void dequeue(Waiting w) {
        ArrayDeque<Waiting> q = byName.get(w.name);
        if (q != null) {
            q.remove(w);
            if (q.isEmpty()) byName.remove(w.name);
        }
    }

    /** Any thread: a handler {@code name} was registered. */
    void registered(String name) {
        host.post(now -> wake(name));
    }

    private void wake(String name) {
        RegisteredHandler h = registry.find(name);
        if (h == null) return; // removed again already: its waiters keep waiting
        ArrayDeque<Waiting> q = byName.remove(name);
        if (q == null) return;
        for (Waiting w : q) {
            deadlines.remove(w);
            byCall.remove(idOf(w.delivery), w);
            dispatch(h, w.delivery);
        }
    }

    /** Node thread, every turn: calls whose deadline passed stop waiting and are settled as expired. */
    void tick(long now) {
        deadlines.expire(now, w -> {
            dequeue(w);
            byCall.remove(idOf(w.delivery), w);
            w.delivery.expire();
        });
    }

    /** Calls waiting now (node thread). */
    int size() {
        return deadlines.size();
    }

    private static void dispatch(RegisteredHandler h, RoutedDelivery d) {
        Executor e = h.executor();
        if (e == null) {
            h.consume(d); // node thread, in a command of its own: where such a handler runs anyway
            return;
        }
        try {
            e.execute(() -> h.consume(d));
        } catch (RejectedExecutionException x) {
            h.rejected(d, x);
        }
    }
}
