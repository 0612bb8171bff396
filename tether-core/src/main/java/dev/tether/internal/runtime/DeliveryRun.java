package dev.tether.internal.runtime;

import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consecutive messages of one stream handed to the application one at a time. Exactly one delivery of a run
 * is with the application at any moment, so the run's position needs no lock: it passes from thread to
 * thread with the delivery (through the executor or the pull queue, which publish it safely). When the run
 * ends (all acknowledged, one failed, or one found expired right before it would have been handed out) it reports
 * once to the engine.
 */
final class DeliveryRun {
    final StreamKey key;
    final long generation;
    private final List<InboundMessage> messages;
    private final Dispatcher dispatcher;
    private int index;
    /** Highest sequence number acknowledged so far, published for progress reports. */
    final AtomicLong ackedUpTo = new AtomicLong();
    /** True while a progress report is queued for the node thread: at most one at a time per run. */
    final AtomicBoolean progressQueued = new AtomicBoolean();

    DeliveryRun(StreamKey key, long generation, List<InboundMessage> messages, Dispatcher dispatcher) {
        this.key = key;
        this.generation = generation;
        this.messages = messages;
        this.dispatcher = dispatcher;
    }

    /** AUTO mode, on a handler thread: handle every message in order, stop at the first failure. */
    void runAutomatically() {
        long lastAcked = messages.get(0).seq() - 1;
        for (InboundMessage m : messages) {
            if (dispatcher.stopped()) return;
            if (dispatcher.expired(m)) {
                dispatcher.reportExpired(this, lastAcked, m.seq());
                return;
            }
            RealDelivery d = new RealDelivery(this, m);
            String failure = dispatcher.invokeHandler(d);
            if (d.settleQuietly(failure == null, failure) != RealDelivery.ACKED) {
                dispatcher.report(this, lastAcked, m.seq(), d.failure);
                return;
            }
            lastAcked = m.seq();
            progress(lastAcked);
        }
        dispatcher.report(this, lastAcked, 0, null);
    }

    /** Hands out the first delivery (pull and manual modes). */
    void start() {
        dispatcher.hand(new RealDelivery(this, messages.get(0)));
    }

    /**
     * Publishes that everything up to {@code seq} is acknowledged, so the cursor advances even if the next
     * message takes long; reports are coalesced (one queued at a time).
     */
    private void progress(long seq) {
        ackedUpTo.set(seq);
        if (!progressQueued.getAndSet(true)) dispatcher.progress(this);
    }

    boolean expired(InboundMessage m) {
        return dispatcher.expired(m);
    }

    /** A pull or manual delivery was acknowledged, failed or expired before it was handed out (any thread). */
    void settled(RealDelivery d) {
        if (dispatcher.automatic()) return; // The handler thread reports when the handler returns.
        if (d.state() == RealDelivery.EXPIRED) {
            dispatcher.reportExpired(this, d.seq() - 1, d.seq());
        } else if (d.state() == RealDelivery.ACKED && index + 1 < messages.size()) {
            progress(d.seq());
            index++;
            dispatcher.hand(new RealDelivery(this, messages.get(index)));
        } else if (d.state() == RealDelivery.ACKED) {
            dispatcher.report(this, d.seq(), 0, null);
        } else {
            dispatcher.report(this, d.seq() - 1, d.seq(), d.failure);
        }
    }
}
