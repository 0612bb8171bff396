package dev.tether.internal.runtime;

import dev.tether.internal.engine.InboundMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The part of a {@link DeliveryRun} whose consecutive messages go to one consumer that takes several at once
 * ({@link MessageConsumer#concurrency()} above 1): they are handed to it in stream order without waiting, at most
 * {@code limit} unsettled, and settle in any order. The run's cursor advances only over the messages acknowledged
 * without a gap; one acknowledged ahead of an earlier one is reported to the engine at once ({@code AheadMarks}: its
 * mark stored with its reply), so a crash, or a retry of an earlier one, never consumes it again.
 *
 * <p>The window stops handing out messages at the first one routed to another consumer, or settled otherwise than
 * acknowledged (failed, expired, settled without processing). Once every message it handed out is settled it ends:
 * the run reports the lowest such settlement to the engine (the messages above it are redelivered later, except
 * those completed ahead, which the engine settles as processed without handing them out), or goes on one at a time with the other consumer, or reports
 * the run's end.
 *
 * <p>Threading: settlements arrive on any thread; the window's state is guarded by its lock, and handing out and
 * ending happen outside it. The run belongs to the window from {@link #start()} until it ends.
 */
final class ConcurrentWindow {
    private final DeliveryRun run;
    private final MessageConsumer consumer;
    private final int limit;
    /** Index in the run of the next message to hand out. */
    private int next;

    private int inFlight;
    /** Acknowledged messages above the cursor, by sequence number. */
    private final TreeMap<Long, RealDelivery> ahead = new TreeMap<>();
    /** The lowest settlement that is not an acknowledgment, or null. */
    private RealDelivery stop;
    /** The consumer of message {@link #next}, routed elsewhere: the run goes on with it. */
    private MessageConsumer other;
    /** Whether a request for more of the stream ({@link #grow}) is on its way to the node thread. */
    private boolean growing;
    /** The highest sequence number handed out. */
    private long handedUpTo;

    ConcurrentWindow(DeliveryRun run, MessageConsumer consumer) {
        this.run = run;
        this.consumer = consumer;
        this.limit = consumer.concurrency();
    }

    /** Hands out the first messages; the first one was routed to {@link #consumer} by the run already. */
    void start() {
        List<RealDelivery> out = new ArrayList<>();
        boolean grow;
        synchronized (this) {
            next = run.index();
            out.add(take());
            fill(out);
            grow = wantsMore();
        }
        handOut(out);
        if (grow) run.grow(this);
    }

    /** Whether the window has room and nothing left to hand out: it asks the engine for more; under the lock. */
    private boolean wantsMore() {
        if (growing || stop != null || other != null || inFlight >= limit || next < run.size()) return false;
        growing = true;
        return true;
    }

    /** How many more the window takes now, and the highest handed out (node thread, for {@link DeliveryRun#grow}). */
    synchronized int room() {
        return stop != null || other != null ? 0 : limit - inFlight;
    }

    synchronized long handedUpTo() {
        return handedUpTo;
    }

    /**
     * Node thread: {@code more} messages joined the run (possibly none: the engine then tells when more arrive,
     * {@link #grow}). Hands out what fits, or ends the window if nothing is left to wait for.
     */
    void grown(List<InboundMessage> more) {
        List<RealDelivery> out = new ArrayList<>();
        boolean ended;
        boolean grow;
        synchronized (this) {
            growing = false;
            run.append(more);
            fill(out);
            // The room was measured before settlements that came while the request was on its way: they did not ask
            // (one request at a time) and the engine will not tell (it gave all it was asked for), so ask again. An
            // empty answer means the engine tells when more arrive (arrived()).
            grow = !more.isEmpty() && wantsMore();
            ended = inFlight == 0 && out.isEmpty() && !grow;
        }
        handOut(out);
        if (grow) run.grow(this);
        if (ended) run.windowEnded(stop, other, handedUpTo);
    }

    /** Node thread: messages arrived after the run: ask for them unless a request is on its way already. */
    void arrived() {
        boolean grow;
        synchronized (this) {
            grow = inFlight > 0 && wantsMore();
        }
        if (grow) run.grow(this);
    }

    /** Takes message {@link #next} for {@link #consumer}; under the lock. */
    private RealDelivery take() {
        RealDelivery d = new RealDelivery(run, run.message(next), false);
        handedUpTo = d.seq();
        next++;
        inFlight++;
        return d;
    }

    /** Routes and takes further messages while the window has room; under the lock. */
    private void fill(List<RealDelivery> out) {
        while (stop == null && other == null && inFlight < limit && next < run.size()) {
            MessageConsumer c = run.route(run.message(next));
            if (c != consumer) {
                other = c;
                return;
            }
            out.add(take());
        }
    }

    private void handOut(List<RealDelivery> out) {
        Executor e = consumer.executor();
        for (RealDelivery d : out) {
            if (e == MessageConsumer.ANY_THREAD) {
                consume(d);
                continue;
            }
            try {
                run.execute(e, () -> consume(d));
            } catch (RejectedExecutionException x) {
                consumer.rejected(d, x);
            }
        }
    }

    /** On the consumer's thread: the deadline is checked right before the message reaches it. */
    private void consume(RealDelivery d) {
        if (run.stopped()) return;
        InboundMessage m = d.message();
        if (!consumer.seesExpired() && run.expired(m)) {
            // never reached its consumer: the room its route reserved is given back (a window whose consumer is a
            // route with effects holds that one message only: the next one's route is another consumer)
            if (consumer instanceof WithEffects w) w.giveBack();
            run.expiredUnconsumed(m);
            d.expire();
        } else {
            consumer.consume(d);
        }
    }

    /** {@code d}, handed out by this window, was settled (any thread). */
    void settled(RealDelivery d) {
        List<RealDelivery> out = new ArrayList<>();
        boolean ended;
        boolean grow;
        synchronized (this) {
            inFlight--;
            if (d.state() != RealDelivery.ACKED) {
                if (stop == null || d.seq() < stop.seq()) stop = d;
            } else if (d.seq() != run.firstUnsettled()) {
                ahead.put(d.seq(), d);
                run.completedAhead(d);
            } else {
                run.ackedInOrder(d);
                while (!ahead.isEmpty() && run.index() < run.size() && ahead.firstKey() == run.firstUnsettled()) {
                    run.passedAhead(ahead.pollFirstEntry().getValue());
                }
                if (run.index() < run.size()) run.progressNow();
            }
            fill(out);
            grow = wantsMore();
            ended = inFlight == 0 && out.isEmpty() && !growing;
        }
        handOut(out);
        if (grow) run.grow(this);
        if (ended) run.windowEnded(stop, other, handedUpTo);
    }
}
