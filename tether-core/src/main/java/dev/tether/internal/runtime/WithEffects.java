package dev.tether.internal.runtime;

import dev.tether.internal.engine.Effect;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link Router}'s answer for a message whose settlement carries effects of its own besides those of its consumer
 * (E7, docs/BUS-DESIGN.md, section 2.4: a routing rule's copies and forward): {@code consumer} takes it as usual, and
 * {@code effects} are stored with the settlement that ends its route, in the batch that moves the cursor past it. On
 * an acknowledgment they go with the consumer's own (a reply); on a dead letter (a rule's, or a failure after the last
 * attempt under {@code FailurePolicy.DEAD_LETTER}) with the dead letter; on a failed attempt that is retried, an
 * expiry, a cancellation or a settlement without processing, never. A message routed again (a retry, a restart)
 * carries the effects of its new route only. Immutable; thread-safe.
 *
 * @param consumer the consumer, or null for the node's configured handler (the {@link Dispatcher} puts it in)
 * @param effects the effects of the route, stored at most once, with the settlement
 * @param rooms the room the effects reserved in their target streams, handed to the engine's count when the message
 *     is settled; or null
 */
public record WithEffects(MessageConsumer consumer, List<Effect> effects, RouteRooms rooms) implements MessageConsumer {
    public WithEffects {
        effects = List.copyOf(effects);
    }

    /** Effects that reserved no room in their targets. */
    public WithEffects(MessageConsumer consumer, List<Effect> effects) {
        this(consumer, effects, null);
    }

    @Override
    public Executor executor() {
        return consumer.executor();
    }

    @Override
    public void consume(RoutedDelivery d) {
        consumer.consume(attach(d));
    }

    @Override
    public boolean seesExpired() {
        return consumer.seesExpired();
    }

    @Override
    public int concurrency() {
        return consumer.concurrency();
    }

    @Override
    public void rejected(RoutedDelivery d, RejectedExecutionException e) {
        consumer.rejected(attach(d), e);
    }

    /** The route never reached its message (it expired first): its reserved room is given back. */
    void giveBack() {
        if (rooms != null) rooms.giveBack();
    }

    /** {@code d} (the runtime's own delivery), carrying this route's effects to its settlement. */
    private RoutedDelivery attach(RoutedDelivery d) {
        RealDelivery r = (RealDelivery) Objects.requireNonNull(d, "delivery");
        r.routeRooms = rooms;
        r.routeEffects = effects;
        return d;
    }
}
