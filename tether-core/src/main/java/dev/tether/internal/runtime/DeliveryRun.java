package dev.tether.internal.runtime;

import dev.tether.Outcome;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.InboundRef;
import dev.tether.internal.engine.StreamKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Consecutive messages of one stream, consumed one at a time: each message is routed ({@link Router}) right before
 * it is consumed, moved to where its consumer runs, checked against its deadline there, and consumed; the next one
 * starts only once it is settled. Consecutive messages whose consumers run in the same place stay on one thread
 * without a hand-off; the run moves where the place changes. When the run ends (all acknowledged, or one failed,
 * expired or was settled without processing) it reports once to the engine.
 *
 * <p>Exactly one thread holds the run at a time, so its position needs no lock: it passes from thread to thread
 * through the executors, the node loop's queue, or {@link #phase}, each of which publishes it safely. A consumer
 * may settle on its own thread while {@code consume} runs ({@link #SETTLED_EARLY}: that thread goes on) or later on
 * any thread ({@link #WAITING}: the settling thread goes on).
 */
final class DeliveryRun {
    private static final int CONSUMING = 1;
    private static final int SETTLED_EARLY = 2;
    private static final int WAITING = 3;
    /** The place of a thread the run arrived on by a settlement: no consumer runs there without a hop. */
    private static final Executor ELSEWHERE = r -> {
        throw new IllegalStateException("not a place to run on");
    };

    final StreamKey key;
    /**
     * The engine's stream the run was delivered on ({@link InboundRef}), given back with its reports so the engine
     * finds it without a lookup of {@link #key}; null if the run came without it.
     */
    final InboundRef stream;

    final long generation;
    private final List<InboundMessage> messages;
    private final Dispatcher dispatcher;
    /**
     * CONSUMING, SETTLED_EARLY or WAITING ({@link #PHASE}). This and the fields below are plain fields with {@link
     * VarHandle}s and queues made at their first entry, not atomics and queues made with every run: with many streams
     * a run is often one message, and it is made once per message.
     */
    private volatile int phase;

    private int index;
    private long lastAcked;
    /** Where the thread holding the run is: an executor it was moved to, null for a node-thread command. */
    private Executor place = ELSEWHERE;
    /**
     * The router's memo ({@link RouteMemo}): the stream's, shared with its earlier and later runs ({@link
     * StreamRouteMemo}); written and read only by the thread routing the run's next message.
     */
    private final RouteMemo routeMemo;
    /** The window the run belongs to now, while a concurrent consumer takes its messages; else null. */
    private volatile ConcurrentWindow window;
    /** Highest sequence number acknowledged so far, published for progress reports; written by the holding thread. */
    private volatile long ackedUpTo;
    /** True while a progress report is queued for the node thread: at most one at a time per run ({@link #QUEUED}). */
    private volatile boolean progressQueued;
    /**
     * Effects of acknowledged messages (replies) not reported yet, in sequence order: each goes to the engine with the
     * report that acknowledges its message, so it is stored in the batch that stores that acknowledgment.
     */
    private volatile ConcurrentLinkedQueue<SettledEffect> effects;

    private record SettledEffect(long seq, Effect effect) {}

    /**
     * Reserved rooms of settled messages' routes ({@link RouteRooms}), handed over by the report that gives the engine
     * their settlement: by sequence number for acknowledged messages, every one by the report that ends the run.
     */
    private volatile ConcurrentLinkedQueue<SettledRooms> rooms;

    private record SettledRooms(long seq, RouteRooms rooms) {}

    /** Messages completed ahead, not reported to the engine yet ({@link #flushAhead}). */
    private volatile ConcurrentLinkedQueue<AheadWrite> aheadWrites;

    /** Message {@code seq} of incarnation {@code senderEpoch} completed ahead, with {@code effects} (its reply). */
    record AheadWrite(long senderEpoch, long seq, List<Effect> effects) {}

    private static final VarHandle PHASE;
    private static final VarHandle QUEUED;
    private static final VarHandle EFFECTS;
    private static final VarHandle ROOMS;
    private static final VarHandle AHEAD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PHASE = l.findVarHandle(DeliveryRun.class, "phase", int.class);
            QUEUED = l.findVarHandle(DeliveryRun.class, "progressQueued", boolean.class);
            EFFECTS = l.findVarHandle(DeliveryRun.class, "effects", ConcurrentLinkedQueue.class);
            ROOMS = l.findVarHandle(DeliveryRun.class, "rooms", ConcurrentLinkedQueue.class);
            AHEAD = l.findVarHandle(DeliveryRun.class, "aheadWrites", ConcurrentLinkedQueue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * @param stream the engine's stream of {@code key} the run was delivered on, or null
     * @param messages the run, handed over: an {@link ArrayList} (the engine's) becomes the run's own list, which a
     *     concurrent window may append to; any other list is copied
     */
    DeliveryRun(
            StreamKey key,
            InboundRef stream,
            long generation,
            List<InboundMessage> messages,
            Dispatcher dispatcher,
            RouteMemo memo) {
        this.key = key;
        this.stream = stream;
        this.routeMemo = memo;
        this.generation = generation;
        this.messages = messages instanceof ArrayList<InboundMessage> own ? own : new ArrayList<>(messages);
        this.dispatcher = dispatcher;
        this.lastAcked = messages.get(0).seq() - 1;
    }

    /** On the node thread, inside the engine's turn: routes the first message and moves the run to its consumer. */
    void begin() {
        moveTo(dispatcher.route(key, messages.get(0), routeMemo));
    }

    boolean expired(InboundMessage m) {
        return dispatcher.expired(m);
    }

    /** {@code m}, routed, expired right before it would have reached its consumer: see the dispatcher's. */
    void expiredUnconsumed(InboundMessage m) {
        dispatcher.expiredUnconsumed(key, m);
    }

    private void moveTo(MessageConsumer c) {
        Executor e = c.executor();
        if (e == MessageConsumer.ANY_THREAD) {
            consumeHere(c, e);
            return;
        }
        try {
            // At its level in the handler threads' queue (RunQueue). Elsewhere (an endpoint's strand, the node thread)
            // the level is not looked at, so the run's messages are not walked for it.
            Runnable task = () -> consumeHere(c, e);
            dispatcher.execute(
                    e,
                    Dispatcher.ordersByLevel(e) ? new RunQueue.Leveled(RunQueue.levelOf(messages, index), task) : task);
        } catch (RejectedExecutionException x) {
            consumeOne(c, x);
        }
    }

    /** Consumes messages on this thread, at {@code here}, while their consumers run here. */
    private void consumeHere(MessageConsumer c, Executor here) {
        place = here;
        while (c != null) {
            c = consumeOne(c, null);
            if (c != null && c.executor() != place && c.executor() != MessageConsumer.ANY_THREAD) {
                moveTo(c);
                return;
            }
        }
    }

    /**
     * Consumes the current message with {@code c} (or tells {@code c} its executor {@code rejected} it); returns the
     * consumer of the next message if this thread is to go on with it, else null.
     */
    private MessageConsumer consumeOne(MessageConsumer c, RejectedExecutionException rejected) {
        if (dispatcher.stopped()) return null;
        InboundMessage m = messages.get(index);
        if (!c.seesExpired() && dispatcher.expired(m)) { // right before it would reach the consumer
            if (c instanceof WithEffects w) w.giveBack();
            dispatcher.expiredUnconsumed(key, m);
            dispatcher.reportWithout(this, lastAcked, m.seq(), Outcome.EXPIRED);
            return null;
        }
        if (c.concurrency() > 1) {
            ConcurrentWindow w = new ConcurrentWindow(this, c);
            window = w;
            dispatcher.windowStarted(this);
            w.start();
            return null;
        }
        RealDelivery d = new RealDelivery(this, m, dispatcher.isQuiet(c));
        phase = CONSUMING;
        if (rejected == null) c.consume(d);
        else c.rejected(d, rejected);
        if (PHASE.compareAndSet(this, CONSUMING, WAITING)) return null; // settled later, by another thread
        return next(d);
    }

    /** {@code d} was settled (any thread). */
    void settled(RealDelivery d) {
        ConcurrentWindow w = window;
        if (w != null) {
            w.settled(d);
            return;
        }
        if (PHASE.compareAndSet(this, CONSUMING, SETTLED_EARLY)) return; // the consuming thread goes on
        place = ELSEWHERE;
        MessageConsumer c = next(d);
        if (c != null) {
            if (c.executor() == MessageConsumer.ANY_THREAD) consumeHere(c, ELSEWHERE);
            else moveTo(c);
        }
    }

    /** Takes {@code d}'s settlement into account; returns the next message's consumer, or null if the run ended. */
    private MessageConsumer next(RealDelivery d) {
        if (d.state() != RealDelivery.ACKED) {
            end(d);
            return null;
        }
        ackedInOrder(d);
        if (index == messages.size()) {
            dispatcher.report(this, lastAcked, 0, null);
            return null;
        }
        progress(lastAcked);
        return dispatcher.route(key, messages.get(index), routeMemo);
    }

    /** Reports the run's end at {@code d}, settled otherwise than acknowledged. */
    private void end(RealDelivery d) {
        if (d.routeRooms != null) rooms().add(new SettledRooms(d.seq(), d.routeRooms));
        switch (d.state()) {
            case RealDelivery.NACKED ->
                dispatcher.report(this, lastAcked, d.seq(), d.failure, d.retryAfterMillis, d.routeEffects);
            case RealDelivery.EXPIRED -> dispatcher.reportWithout(this, lastAcked, d.seq(), Outcome.EXPIRED);
            case RealDelivery.WITHOUT -> dispatcher.reportWithout(this, lastAcked, d.seq(), d.outcome);
            case RealDelivery.DEAD -> dispatcher.reportDeadLetter(this, lastAcked, d.seq(), d.failure, d.routeEffects);
            default -> throw new IllegalStateException("settled delivery in state " + d.state());
        }
    }

    /**
     * Acknowledged {@code d} is the first unsettled message of the run: the cursor passes it, and its effects (its
     * reply, its idempotency key) go with the report that acknowledges it. Called in stream order.
     */
    void ackedInOrder(RealDelivery d) {
        if (d.effect != null) effects().add(new SettledEffect(d.seq(), d.effect));
        List<Effect> routed = d.routeEffects;
        // Indexed: an iterator over the (usually empty) immutable list is an object per message.
        for (int i = 0; i < routed.size(); i++) effects().add(new SettledEffect(d.seq(), routed.get(i)));
        if (d.routeRooms != null) rooms().add(new SettledRooms(d.seq(), d.routeRooms));
        List<Effect> keyWrites = dispatcher.acknowledged(d);
        if (keyWrites != null) {
            for (int i = 0; i < keyWrites.size(); i++) effects().add(new SettledEffect(d.seq(), keyWrites.get(i)));
        }
        passedAhead(d);
    }

    /**
     * {@code d}, {@linkplain #completedAhead completed ahead}, is now the first unsettled message of the run: the
     * cursor passes it with the next report; its effects went to the engine when it completed, which deletes its
     * mark (or hands over its held effects) with the cursor. Called in stream order.
     */
    void passedAhead(RealDelivery d) {
        lastAcked = d.seq();
        index++;
    }

    /**
     * Acknowledged {@code d} is above the first unsettled message: the engine marks it completed ahead ({@code
     * AheadMarks}) and stores its effects, with its idempotency key, at once (a volatile stream's are held until the
     * cursor passes it). Queued before the cursor can pass it, so the report that does hands it over first ({@link
     * #flushAhead}).
     */
    void completedAhead(RealDelivery d) {
        List<Effect> own = new ArrayList<>(d.routeEffects.size() + 2);
        if (d.effect != null) own.add(d.effect);
        own.addAll(d.routeEffects);
        List<Effect> keyWrites = dispatcher.acknowledged(d); // the engine never hands it out again: recorded now
        if (keyWrites != null) own.addAll(keyWrites);
        if (d.routeRooms != null) rooms().add(new SettledRooms(d.seq(), d.routeRooms)); // on the safe side: later
        aheadWrites().add(new AheadWrite(d.senderEpoch(), d.seq(), own));
        dispatcher.flushAheadSoon(this);
    }

    /**
     * Node thread: reports the messages completed ahead queued so far to the engine. Every report
     * runs it after reading how far it acknowledges and before telling the engine, so a message's reply is always in a
     * batch no later than the cursor that passes it.
     */
    void flushAhead(long now) {
        ConcurrentLinkedQueue<AheadWrite> q = aheadWrites;
        if (q == null) return;
        AheadWrite w;
        while ((w = q.poll()) != null) dispatcher.storeAhead(now, key, w);
    }

    /**
     * The window ended, every message it handed out (up to {@code handedUpTo}) settled: report {@code stop} (the lowest one not acknowledged)
     * if there is one, else go on with {@code other} (the next message's consumer) one message at a time, else report
     * the run's end. Runs on the thread of the last settlement.
     */
    void windowEnded(RealDelivery stop, MessageConsumer other, long handedUpTo) {
        dispatcher.windowEnded(this);
        window = null;
        if (stop != null) {
            // the next message was routed but is not handed out: its route's reserved room is given back (it is
            // routed again when it comes again)
            if (other instanceof WithEffects w) w.giveBack();
            dispatcher.handedOut(this, handedUpTo); // messages above stop were handed out: flagged if they come again
            end(stop);
        } else if (index == messages.size()) {
            dispatcher.report(this, lastAcked, 0, null);
        } else {
            place = ELSEWHERE;
            if (other.executor() == MessageConsumer.ANY_THREAD) consumeHere(other, ELSEWHERE);
            else moveTo(other);
        }
    }

    // ---- for the window ----

    /** Asks the engine, on the node thread, for more of the stream for {@code w}. */
    void grow(ConcurrentWindow w) {
        dispatcher.grow(this, w);
    }

    /** {@code more} messages joined the run; under the window's lock. */
    void append(List<InboundMessage> more) {
        messages.addAll(more);
    }

    int index() {
        return index;
    }

    ConcurrentWindow window() {
        return window;
    }

    int size() {
        return messages.size();
    }

    InboundMessage message(int i) {
        return messages.get(i);
    }

    long firstUnsettled() {
        return messages.get(index).seq();
    }

    MessageConsumer route(InboundMessage m) {
        return dispatcher.route(key, m);
    }

    void execute(Executor e, Runnable r) {
        dispatcher.execute(e, r);
    }

    boolean stopped() {
        return dispatcher.stopped();
    }

    void progressNow() {
        progress(lastAcked);
    }

    /**
     * The effects of the acknowledged messages up to {@code seq} not reported yet (node thread, by the report that
     * acknowledges them). An effect is queued before its acknowledgment is published, so none up to {@code seq} is
     * missed.
     */
    List<Effect> effectsUpTo(long seq) {
        ConcurrentLinkedQueue<SettledEffect> q = effects;
        SettledEffect e = q == null ? null : q.peek();
        if (e == null || e.seq() > seq) return List.of();
        List<Effect> out = new ArrayList<>();
        while (e != null && e.seq() <= seq) {
            out.add(q.poll().effect());
            e = q.peek();
        }
        return out;
    }

    /**
     * Node thread, after a report gave the engine the settlements up to {@code seq} ({@code Long.MAX_VALUE}: the
     * run's end): their routes' reserved rooms are handed over.
     */
    void handOverRooms(long seq) {
        ConcurrentLinkedQueue<SettledRooms> q = rooms;
        if (q == null) return;
        for (SettledRooms r = q.peek(); r != null && r.seq() <= seq; r = q.peek()) {
            q.poll().rooms().handedToEngine();
        }
    }

    /**
     * Publishes that everything up to {@code seq} is acknowledged, so the cursor advances even if the next
     * message takes long; reports are coalesced (one queued at a time).
     */
    private void progress(long seq) {
        ackedUpTo = seq;
        if (!(boolean) QUEUED.getAndSet(this, true)) dispatcher.progress(this);
    }

    /**
     * Node thread, running a queued progress report: the next acknowledgment queues another; returns how far the run
     * is acknowledged now (read after the flag is cleared, so no acknowledgment goes unreported).
     */
    long takeProgress() {
        progressQueued = false;
        return ackedUpTo;
    }

    /** The run's queue of effects, made by the first thread to add one (writers may race in a concurrent window). */
    private ConcurrentLinkedQueue<SettledEffect> effects() {
        ConcurrentLinkedQueue<SettledEffect> q = effects;
        return q != null ? q : made(EFFECTS);
    }

    private ConcurrentLinkedQueue<SettledRooms> rooms() {
        ConcurrentLinkedQueue<SettledRooms> q = rooms;
        return q != null ? q : made(ROOMS);
    }

    private ConcurrentLinkedQueue<AheadWrite> aheadWrites() {
        ConcurrentLinkedQueue<AheadWrite> q = aheadWrites;
        return q != null ? q : made(AHEAD);
    }

    /** The queue in field {@code h}: a new one unless another thread installed one first. */
    @SuppressWarnings("unchecked")
    private <T> ConcurrentLinkedQueue<T> made(VarHandle h) {
        ConcurrentLinkedQueue<T> q = new ConcurrentLinkedQueue<>();
        Object won = h.compareAndExchange(this, null, q);
        return won == null ? q : (ConcurrentLinkedQueue<T>) won;
    }
}
