package dev.tether.internal.bus;

import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.RoutedDelivery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Messages waiting for an endpoint that is not registered (docs/BUS-DESIGN.md, section 1.2): those of a durable
 * endpoint's name, and those that asked to wait ({@code :w}) until their deadline; and calls that asked to wait for a
 * handler their endpoint does not have yet. Each waits at the head of its stream
 * (unsettled, so the stream's later messages wait behind it) until an endpoint of its name is registered (it is then
 * handed over), its deadline passes (settled as expired) or the name is forgotten (settled as for a missing endpoint).
 * Owned by the node thread: other threads reach it through {@link BusLayer#post}; a registration is announced after it
 * became visible in the registry, so a message parked concurrently with a registration always sees one or the other.
 */
final class EndpointWaiters {
    /** {@code asked}: the message asked to wait ({@code :w}, with its deadline), whether the name is durable or not. */
    private record Waiting(String agent, RoutedDelivery delivery, InboundMessage message, boolean asked) {
        boolean mayWait(boolean durable) {
            return durable || asked && delivery.expiresAtMillis() != 0;
        }
    }

    private final BusLayer bus;
    private final Map<String, ArrayDeque<Waiting>> byAgent = new HashMap<>();
    private int size;

    EndpointWaiters(BusLayer bus) {
        this.bus = bus;
    }

    /**
     * The consumer that parks message {@code m} for endpoint {@code agent} (null {@code m}: a direct message routed to
     * an endpoint that closed before it ran).
     */
    MessageConsumer parking(String agent, InboundMessage m) {
        return onAnyThread(d -> park(agent, d, m));
    }

    /** A consumer that runs {@code take} on whatever thread routed the message (it only parks or settles it). */
    static MessageConsumer onAnyThread(java.util.function.Consumer<RoutedDelivery> take) {
        return new MessageConsumer() {
            @Override
            public Executor executor() {
                return ANY_THREAD;
            }

            @Override
            public void consume(RoutedDelivery d) {
                take.accept(d);
            }
        };
    }

    /** Any thread: {@code d} waits for endpoint {@code agent}. */
    void park(String agent, RoutedDelivery d, InboundMessage m) {
        boolean asked = m != null && EndpointLanes.waits(m.headers());
        bus.post(now -> parkNow(now, new Waiting(agent, d, m, asked)));
    }

    private void parkNow(long now, Waiting w) {
        LocalEndpoint e = bus.registered(w.agent());
        if (e != null && (!e.waitsForHandler(w.message()) || w.delivery().expiresAtMillis() == 0)) {
            dispatch(e, w); // a call without a deadline does not wait for its handler: answered that it has none
        } else if (e == null && !w.mayWait(bus.isDurable(w.agent()))) {
            bus.missing(w.delivery()); // forgotten meanwhile, or it asked to wait without a deadline
        } else if (w.delivery().expiresAtMillis() != 0 && w.delivery().expiresAtMillis() <= now) {
            w.delivery().expire();
        } else {
            byAgent.computeIfAbsent(w.agent(), k -> new ArrayDeque<>()).add(w);
            size++;
        }
    }

    /** Any thread: endpoint {@code agent} was registered, or registered a handler. */
    void registered(String agent) {
        bus.post(now -> {
            LocalEndpoint e = bus.registered(agent);
            if (e == null) return; // closed again already: its waiters keep waiting
            ArrayDeque<Waiting> q = byAgent.get(agent);
            if (q == null) return;
            for (Iterator<Waiting> i = q.iterator(); i.hasNext(); ) {
                Waiting w = i.next();
                if (e.waitsForHandler(w.message())) continue; // a call for a handler the endpoint does not have yet
                i.remove();
                size--;
                dispatch(e, w);
            }
            if (q.isEmpty()) byAgent.remove(agent);
        });
    }

    /** Any thread: durable name {@code agent} was forgotten: what did not ask to wait is settled as missing. */
    void forgotten(String agent) {
        bus.post(now -> {
            ArrayDeque<Waiting> q = byAgent.get(agent);
            if (q == null || bus.isDurable(agent)) return; // made durable again meanwhile
            for (Iterator<Waiting> i = q.iterator(); i.hasNext(); ) {
                Waiting w = i.next();
                if (!w.mayWait(false)) {
                    i.remove();
                    size--;
                    bus.missing(w.delivery());
                }
            }
            if (q.isEmpty()) byAgent.remove(agent);
        });
    }

    /** Node thread, every turn: messages whose deadline passed stop waiting and are settled as expired. */
    void tick(long now) {
        if (size == 0) return;
        List<Waiting> due = new ArrayList<>();
        for (Iterator<ArrayDeque<Waiting>> qs = byAgent.values().iterator(); qs.hasNext(); ) {
            ArrayDeque<Waiting> q = qs.next();
            for (Iterator<Waiting> i = q.iterator(); i.hasNext(); ) {
                Waiting w = i.next();
                long at = w.delivery().expiresAtMillis();
                if (at != 0 && at <= now) {
                    i.remove();
                    due.add(w);
                }
            }
            if (q.isEmpty()) qs.remove();
        }
        size -= due.size();
        for (Waiting w : due) w.delivery().expire();
    }

    /** Messages waiting now (node thread). */
    int size() {
        return size;
    }

    private static void dispatch(LocalEndpoint e, Waiting w) {
        handTo(w.message() == null ? e : e.route(w.message()), w.delivery());
    }

    /** Node thread: hands parked delivery {@code d} to consumer {@code c}, on its executor. */
    static void handTo(MessageConsumer c, RoutedDelivery d) {
        Executor x = c.executor();
        if (x == null || x == MessageConsumer.ANY_THREAD) {
            c.consume(d); // node thread, in a command of its own: where such a consumer runs anyway
            return;
        }
        try {
            x.execute(() -> c.consume(d));
        } catch (RejectedExecutionException r) {
            c.rejected(d, r);
        }
    }
}
