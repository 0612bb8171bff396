package dev.tether.internal.bus;

import dev.tether.Outcome;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.ForwardingDelivery;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.RoutedDelivery;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A delivery on an endpoint's {@link Strand}: the runtime's delivery, whose first settlement (whatever its kind, from
 * any thread) also releases the strand, so the endpoint stays busy until the message is settled.
 */
final class StrandDelivery extends ForwardingDelivery implements RoutedDelivery {
    private final RoutedDelivery d;
    private final Strand strand;

    /** Counts {@code d} as started on {@code strand}; on the thread running the strand's task. */
    StrandDelivery(RoutedDelivery d, Strand strand) {
        super(d);
        this.d = d;
        this.strand = strand;
        strand.started();
    }

    /**
     * {@code inner}, a consumer of calls, moved onto {@code strand}: each delivery it takes holds the strand until it
     * is settled.
     */
    static MessageConsumer on(Strand strand, MessageConsumer inner) {
        return new MessageConsumer() {
            @Override
            public Executor executor() {
                return strand;
            }

            @Override
            public void consume(RoutedDelivery d) {
                inner.consume(new StrandDelivery(d, strand));
            }

            @Override
            public void rejected(RoutedDelivery d, RejectedExecutionException e) {
                inner.rejected(d, e);
            }
        };
    }

    private boolean released(boolean first) {
        if (first) strand.settled(); // after the runtime took it: the stream's next run queues behind
        return first;
    }

    @Override
    public boolean ack() {
        return released(d.ack());
    }

    @Override
    public boolean nack() {
        return released(d.nack());
    }

    @Override
    public boolean nack(Duration retryAfter) {
        return released(d.nack(retryAfter));
    }

    @Override
    public boolean ackWith(Effect effect) {
        return released(d.ackWith(effect));
    }

    @Override
    public boolean refuseWith(Effect reply) {
        return released(d.refuseWith(reply));
    }

    @Override
    public boolean fail(String reason) {
        return released(d.fail(reason));
    }

    @Override
    public boolean expire() {
        return released(d.expire());
    }

    @Override
    public boolean settleWithout(Outcome outcome) {
        return released(d.settleWithout(outcome));
    }

    @Override
    public boolean deadLetter(String reason) {
        return released(d.deadLetter(reason));
    }

    @Override
    public StreamKey key() {
        return d.key();
    }

    @Override
    public long senderEpoch() {
        return d.senderEpoch();
    }

    @Override
    public long expiresAtMillis() {
        return d.expiresAtMillis();
    }

    @Override
    public boolean expiredNow() {
        return d.expiredNow();
    }
}
