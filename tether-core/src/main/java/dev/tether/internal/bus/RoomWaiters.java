package dev.tether.internal.bus;

import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.RouteRooms;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.WithEffects;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * Routed messages waiting for room in a full target stream (docs/BUS-DESIGN.md, section 4.3, "Forwarding keeps
 * backpressure"): a route whose copy or forward found its target stream at its limit ({@code StreamLimits}) is not
 * handed to its consumer; the message waits unsettled at the head of its stream (so the rest of the stream waits
 * behind it in its sender's outbox, and its sender slows through credit), and every node turn its route tries again to
 * reserve its targets' room. Once it has it the message goes on with that route; its deadline passing settles it as
 * expired; after the bound of its rule ({@code Rule.onFullDeadLetterAfter}) it is dead-lettered with the reason,
 * without any of its route. Owned by the node thread: other threads reach it through {@link BusLayer#post}.
 */
final class RoomWaiters {
    /** {@code boundMillis} 0: no bound. */
    private record Waiting(
            RoutedDelivery delivery,
            MessageConsumer consumer,
            List<Effect> effects,
            long sinceMillis,
            long boundMillis,
            String rule) {}

    private final BusLayer bus;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    RoomWaiters(BusLayer bus) {
        this.bus = bus;
    }

    /**
     * The consumer that parks a message whose route ({@code consumer} with {@code effects}) found a target full, until
     * room comes, its deadline, or {@code boundMillis} (0: none) of waiting pass, then dead-lettered by {@code rule}.
     */
    MessageConsumer parking(MessageConsumer consumer, List<Effect> effects, long boundMillis, String rule) {
        return EndpointWaiters.onAnyThread(
                d -> bus.post(now -> waiting.add(new Waiting(d, consumer, effects, now, boundMillis, rule))));
    }

    /** Node thread, every turn: routes that get room go on, expired messages settle, those past their bound die. */
    void tick(long now) {
        if (waiting.isEmpty()) return;
        for (Iterator<Waiting> i = waiting.iterator(); i.hasNext(); ) {
            Waiting w = i.next();
            RoutedDelivery d = w.delivery();
            long at = d.expiresAtMillis();
            if (at != 0 && at <= now) {
                i.remove();
                d.expire();
                continue;
            }
            RouteRooms rooms = bus.reserve(w.effects());
            if (rooms.refusal() == null) {
                i.remove();
                EndpointWaiters.handTo(new WithEffects(w.consumer(), w.effects(), rooms), d);
            } else if (w.boundMillis() > 0 && now - w.sinceMillis() >= w.boundMillis()) {
                i.remove();
                d.deadLetter("rule " + w.rule() + ": target full: " + rooms.refusal() + " (waited "
                        + (now - w.sinceMillis()) + " ms)");
            }
        }
    }

    /** Messages waiting now (node thread). */
    int size() {
        return waiting.size();
    }
}
