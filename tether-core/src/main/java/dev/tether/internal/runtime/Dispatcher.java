package dev.tether.internal.runtime;

import dev.tether.AckMode;
import dev.tether.Delivery;
import dev.tether.MessageHandler;
import dev.tether.NodeClosedException;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.TransactionalHandler;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.InboundRef;
import dev.tether.internal.engine.Settlement;
import dev.tether.internal.engine.StreamKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands runs of deliveries to their consumers: per message, the pattern layers' {@link Router} picks one (a named
 * handler, the caller's reply matching), and a message no router takes goes to the configured handler on the
 * handler threads (or the node thread), or to the pull queue. Per stream one run is out at a time (the engine
 * guarantees it), so streams proceed independently and each stream is strictly sequential.
 *
 * <p>A consumer on the node thread runs as a command of its own: never inside the engine's turn, and never nested
 * in a previous consumer's settlement. Each message's deadline is checked with the clock right before it reaches
 * its consumer (the handler is called, or {@code receive} returns it): an expired one is not handed out, and its run
 * ends there.
 */
final class Dispatcher {
    private final MessageHandler handler;
    private final AckMode ackMode;
    private final Executor executor;
    private final NodeLoop loop;
    private final Clock clock;
    private static final Object STOP = new Object();
    /** Deliveries for {@code receive}, then {@link #STOP} once the node shuts down (kept there for every waiter). */
    private final LinkedBlockingQueue<Object> pullQueue = new LinkedBlockingQueue<>();
    /** The configured handler (or the pull queue) as a consumer: where messages no router takes go. */
    private final MessageConsumer application;

    final AtomicLong handlerErrors = new AtomicLong();
    private final IdempotencyTable idempotency;

    private volatile Router router;
    private volatile boolean stopped;

    /**
     * @param executor the handler threads the configured handler runs on, or null for the node thread
     * @param idempotency the keys of processed messages, which duplicates are recognised by
     * @param writer the store's writer, where a {@link TransactionalHandler} runs
     */
    Dispatcher(
            MessageHandler handler,
            AckMode ackMode,
            Executor executor,
            NodeLoop loop,
            Clock clock,
            IdempotencyTable idempotency,
            StoreWriter writer) {
        this.idempotency = idempotency;
        this.handler = handler;
        this.ackMode = ackMode;
        this.executor = executor;
        this.loop = loop;
        this.clock = clock;
        if (handler instanceof TransactionalHandler.InTransaction<?> t) {
            this.application = new TransactionalConsumer<>(t, writer, this);
        } else {
            this.application = handler == null ? new PullConsumer() : new HandlerConsumer();
        }
    }

    /** Installs the pattern layers' router; before the node starts. */
    void router(Router router) {
        this.router = router;
    }

    /** Node thread: tells the router that sends on volatile stream {@code key} up to {@code upToSeq} are lost. */
    void volatileLost(StreamKey key, long upToSeq) {
        Router r = router;
        if (r != null) r.volatileLost(key, upToSeq);
    }

    boolean stopped() {
        return stopped;
    }

    /** Whether {@code m}'s time to live has run out now: it must not reach the application. */
    boolean expired(InboundMessage m) {
        return m.expiredAt(clock.millis());
    }

    /**
     * {@code m} of {@code key}, routed, expired right before it would have reached its consumer (the run's thread): the
     * router drops what it keeps for it; the caller settles it as expired.
     */
    void expiredUnconsumed(StreamKey key, InboundMessage m) {
        Router r = router;
        if (r != null) r.expiredUnconsumed(key, m.senderEpoch(), m.seq());
    }

    /** Called on the node thread by the engine's {@code deliver}. */
    void deliver(StreamKey key, long generation, List<InboundMessage> messages) {
        if (stopped) return; // Not handed out: redelivered after the next start.
        new DeliveryRun(key, null, generation, messages, this, new StreamRouteMemo()).begin();
    }

    /**
     * As {@link #deliver(StreamKey, long, List)}, with the stream at hand: its runs share the stream's route memo
     * ({@link StreamRouteMemo}, attached to it at its first run), so a router looks the stream up once, not per run.
     */
    void deliver(InboundRef stream, long generation, List<InboundMessage> messages) {
        if (stopped) return; // Not handed out: redelivered after the next start.
        StreamRouteMemo memo;
        if (stream.attachment() instanceof StreamRouteMemo m) {
            memo = m;
        } else {
            memo = new StreamRouteMemo();
            stream.attach(memo);
        }
        new DeliveryRun(stream.key(), stream, generation, messages, this, memo).begin();
    }

    MessageConsumer route(StreamKey key, InboundMessage m) {
        return route(key, m, null);
    }

    /**
     * The consumer of {@code m} of {@code key}; {@code memo} (null: none) is the run's, whose earlier messages were
     * routed with it one after the other ({@link Router#route(StreamKey, InboundMessage, RouteMemo)}).
     */
    MessageConsumer route(StreamKey key, InboundMessage m, RouteMemo memo) {
        Router r = router;
        String ik = m.headers().isEmpty() ? null : m.headers().get(OutboundMessage.IDEMPOTENCY_KEY_HEADER);
        if (ik != null) {
            IdempotencyTable.Original o = idempotency.seen(key.peer(), ik, clock.millis());
            if (o != null) {
                MessageConsumer c = r == null ? null : r.duplicate(key, m, o.lane(), o.seq());
                return c != null ? c : MessageConsumer.ACK_NOW;
            }
        }
        MessageConsumer c = r == null ? null : memo == null ? r.route(key, m) : r.route(key, m, memo);
        if (c instanceof WithEffects w && w.consumer() == null) {
            return new WithEffects(application, w.effects(), w.rooms());
        }
        return c != null ? c : application;
    }

    /**
     * The store writes to make with the acknowledgment of {@code d} (its idempotency key, and the deletes of the keys
     * it evicted), or null. Called on the thread that takes the acknowledgment, in stream order. A delivery answered
     * without being processed ({@link RealDelivery#refuseWith}: no handler or endpoint) records no key: a retry with
     * the same key runs.
     */
    List<Effect> acknowledged(RealDelivery d) {
        if (d.refused) return null;
        Map<String, String> h = d.headers();
        String ik = h.isEmpty() ? null : h.get(OutboundMessage.IDEMPOTENCY_KEY_HEADER);
        if (ik == null) return null;
        return idempotency.acknowledged(
                d.from(), d.lane(), d.seq(), ik, clock.millis(), d.key().isVolatile());
    }

    /** The concurrent windows open now, by stream: where {@link #runCanGrow} goes. */
    private final ConcurrentHashMap<StreamKey, DeliveryRun> windows = new ConcurrentHashMap<>();

    void windowStarted(DeliveryRun run) {
        windows.put(run.key, run);
    }

    void windowEnded(DeliveryRun run) {
        windows.remove(run.key, run);
    }

    /** Node thread: messages arrived after run {@code generation} of {@code key}, whose window asked for more. */
    void runCanGrow(StreamKey key, long generation) {
        DeliveryRun run = windows.get(key);
        ConcurrentWindow w = run == null || run.generation != generation ? null : run.window();
        if (w != null) w.arrived();
    }

    /** Asks the engine on the node thread for as many more messages of {@code run} as {@code w} takes now. */
    void grow(DeliveryRun run, ConcurrentWindow w) {
        loop.post(now -> {
            if (stopped) return;
            w.grown(loop.engine().extendRun(now, run.key, run.generation, w.handedUpTo(), w.room()));
        });
    }

    /** Tells the engine that {@code run} handed its messages up to {@code upTo} out; before its report. */
    void handedOut(DeliveryRun run, long upTo) {
        if (stopped) return;
        loop.post(now -> loop.engine().extendRun(now, run.key, run.generation, upTo, 0));
    }

    /** Stores the writes {@code run} completed ahead soon, even if no report comes ({@link DeliveryRun#flushAhead}). */
    void flushAheadSoon(DeliveryRun run) {
        if (stopped) return;
        loop.post(run::flushAhead);
    }

    /**
     * Node thread: message {@code w.seq()} of {@code key} completed ahead: the engine marks it, never hands it out
     * again, and stores its effects with the mark in the next batch ({@code AheadMarks}).
     */
    void storeAhead(long now, StreamKey key, DeliveryRun.AheadWrite w) {
        loop.ownWrites().completedAhead(now, key, w.senderEpoch(), w.seq(), w.effects());
    }

    /** Whether deliveries to {@code c} are settled by the handler's return ({@link AckMode#AUTO}). */
    boolean isQuiet(MessageConsumer c) {
        if (c instanceof WithEffects w) return isQuiet(w.consumer());
        return c == application && handler != null && ackMode == AckMode.AUTO;
    }

    /** Whether tasks run on {@code e} wait by priority level: an executor with a {@link RunQueue} (the handler threads). */
    static boolean ordersByLevel(Executor e) {
        return e instanceof ThreadPoolExecutor p && p.getQueue() instanceof RunQueue;
    }

    /** Runs {@code r} on {@code e}, or as a node-thread command if {@code e} is null. */
    void execute(Executor e, Runnable r) {
        if (e == null) {
            loop.post(now -> r.run());
            return;
        }
        try {
            e.execute(r);
        } catch (RejectedExecutionException x) {
            if (!stopped) throw x;
        }
    }

    /** The configured handler on its threads: returning acknowledges in AUTO mode, throwing always fails. */
    private final class HandlerConsumer implements MessageConsumer {
        @Override
        public Executor executor() {
            return executor;
        }

        @Override
        public void consume(RoutedDelivery d) {
            String failure = invokeHandler(d);
            RealDelivery r = (RealDelivery) d;
            if (ackMode == AckMode.AUTO) r.handlerReturned(failure);
            else if (failure != null) r.fail(failure);
        }
    }

    /** No handler: the application pulls with {@code receive}. */
    private final class PullConsumer implements MessageConsumer {
        @Override
        public Executor executor() {
            return ANY_THREAD;
        }

        @Override
        public void consume(RoutedDelivery d) {
            if (!stopped) pullQueue.add((RealDelivery) d);
        }
    }

    /** Runs the handler; returns null on success or the failure's description. */
    private String invokeHandler(Delivery d) {
        try {
            handler.onMessage(d);
            return null;
        } catch (Throwable e) { // even an Error: an unreported run would stall its stream forever
            return handlerFailed(d, e);
        }
    }

    /** The configured handler threw {@code e} on {@code d}: counted and reported; returns the failure's description. */
    String handlerFailed(Delivery d, Throwable e) {
        handlerErrors.incrementAndGet();
        String reason = e.getClass().getName() + ": " + e.getMessage();
        loop.post(
                now -> loop.emit(new TetherEvent.ApplicationError("handler for " + d.from() + "/" + d.lane(), reason)));
        return reason;
    }

    void progress(DeliveryRun run) {
        if (stopped) return;
        loop.post(now -> {
            long upTo = run.takeProgress();
            run.flushAhead(now); // after reading upTo: every message completed ahead up to it is queued by now
            loop.engine().onProgress(now, run.key, run.stream, run.generation, upTo, run.effectsUpTo(upTo));
            run.handOverRooms(upTo);
        });
    }

    void report(DeliveryRun run, long ackedUpTo, long failedSeq, String reason) {
        report(run, ackedUpTo, failedSeq, reason, Engine.RETRY_PER_POLICY, List.of());
    }

    /**
     * As {@link #report(DeliveryRun, long, long, String)}; the failed message is retried after the given pause, and
     * {@code ifDeadLettered} (its route's effects) are stored with it if this failure dead-letters it.
     */
    void report(
            DeliveryRun run,
            long ackedUpTo,
            long failedSeq,
            String reason,
            long retryAfterMillis,
            List<Effect> ifDeadLettered) {
        if (stopped) return;
        loop.post(now -> {
            run.flushAhead(now);
            loop.engine()
                    .onSettled(
                            now,
                            new Settlement(
                                    run.key,
                                    run.generation,
                                    ackedUpTo,
                                    failedSeq,
                                    reason,
                                    retryAfterMillis,
                                    run.effectsUpTo(ackedUpTo),
                                    ifDeadLettered),
                            run.stream);
            run.handOverRooms(Long.MAX_VALUE);
        });
    }

    /**
     * The run ended at {@code seq}, settled without processing: {@link Outcome#EXPIRED} before it was handed out, or
     * {@link Outcome#NO_SUCH_HANDLER} or {@link Outcome#NO_SUCH_ENDPOINT} (nobody here takes it), {@link
     * Outcome#CANCELLED} (withdrawn by its sender before it was started), or {@link Outcome#DROPPED} (by a routing
     * rule).
     */
    void reportWithout(DeliveryRun run, long ackedUpTo, long seq, Outcome outcome) {
        if (stopped) return;
        loop.post(run::flushAhead); // before the report below: the queue runs in order
        if (outcome == Outcome.EXPIRED) {
            loop.post(now -> loop.engine()
                    .onExpiredInRun(now, run.key, run.generation, ackedUpTo, seq, run.effectsUpTo(ackedUpTo)));
        } else {
            loop.post(now -> loop.engine()
                    .onNotTaken(now, run.key, run.generation, ackedUpTo, seq, outcome, run.effectsUpTo(ackedUpTo)));
        }
        loop.post(now -> run.handOverRooms(Long.MAX_VALUE));
    }

    /** The run ended at {@code seq}, which a routing rule dead-letters with {@code reason} and {@code withIt}. */
    void reportDeadLetter(DeliveryRun run, long ackedUpTo, long seq, String reason, List<Effect> withIt) {
        if (stopped) return;
        loop.post(run::flushAhead); // before the report below: the queue runs in order
        loop.post(now -> {
            loop.engine()
                    .onDeadLetterInRun(
                            now, run.key, run.generation, ackedUpTo, seq, reason, run.effectsUpTo(ackedUpTo), withIt);
            run.handOverRooms(Long.MAX_VALUE);
        });
    }

    /**
     * The sender (incarnation {@code senderEpoch}) withdrew message {@code seq} of {@code key}, handed out already:
     * tell the router (node thread).
     */
    void cancelRequested(StreamKey key, long senderEpoch, long seq) {
        Router r = router;
        if (r != null) r.cancelled(key, senderEpoch, seq);
    }

    /** The next delivery whose time to live has not run out, waiting up to {@code timeout} for one. */
    Delivery poll(Duration timeout) throws InterruptedException {
        if (handler != null)
            throw new IllegalStateException(
                    "this node pushes deliveries to its handler; receive() is for nodes without one");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object next = pullQueue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == STOP || stopped) { // a delivery queued as the node stopped is redelivered after the restart
                if (next == STOP) pullQueue.add(STOP); // for the next waiter
                throw new NodeClosedException("the node shut down while receive() waited");
            }
            RealDelivery d = (RealDelivery) next;
            if (d == null || !expired(d)) return d;
        }
    }

    private boolean expired(RealDelivery d) {
        return d.expiredNow() && d.expire();
    }

    /** Stops handing out deliveries; those in progress are no longer reported (they are redelivered later). */
    void stop() {
        stopped = true;
        pullQueue.clear();
        pullQueue.add(STOP); // wakes the threads waiting in receive(): they end with NodeClosedException
    }
}
