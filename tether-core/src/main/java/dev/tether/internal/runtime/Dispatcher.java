package dev.tether.internal.runtime;

import dev.tether.AckMode;
import dev.tether.Delivery;
import dev.tether.MessageHandler;
import dev.tether.TetherEvent;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands runs of deliveries to the application: to the handler on the handler threads, or to the pull queue.
 * Per stream one run is out at a time (the engine guarantees it), so streams proceed independently and each
 * stream is strictly sequential.
 *
 * <p>Without handler threads ({@code executor} null) the handler runs on the node thread, as a command of its
 * own: never inside the engine's turn, and never nested in a previous handler's {@code ack()}.
 *
 * <p>Each message's deadline is checked with the clock right before it would reach the application (the handler
 * is called, or {@code receive} returns it): an expired one is not handed out, and its run ends there.
 */
final class Dispatcher {
    private final MessageHandler handler;
    private final AckMode ackMode;
    private final ExecutorService executor;
    private final NodeLoop loop;
    private final Clock clock;
    private final LinkedBlockingQueue<RealDelivery> pullQueue = new LinkedBlockingQueue<>();
    final AtomicLong handlerErrors = new AtomicLong();
    private volatile boolean stopped;

    Dispatcher(MessageHandler handler, AckMode ackMode, ExecutorService executor, NodeLoop loop, Clock clock) {
        this.handler = handler;
        this.ackMode = ackMode;
        this.executor = executor;
        this.loop = loop;
        this.clock = clock;
    }

    /** Whether {@code m}'s time to live has run out now: it must not reach the application. */
    boolean expired(InboundMessage m) {
        return m.expiredAt(clock.millis());
    }

    boolean stopped() {
        return stopped;
    }

    boolean automatic() {
        return handler != null && ackMode == AckMode.AUTO;
    }

    /** Called on the node thread by the engine's {@code deliver}. */
    void deliver(StreamKey key, long generation, List<InboundMessage> messages) {
        if (stopped) return; // Not handed out: redelivered after the next start.
        DeliveryRun run = new DeliveryRun(key, generation, messages, this);
        if (automatic()) execute(run::runAutomatically);
        else run.start();
    }

    void hand(RealDelivery d) {
        if (stopped) return;
        if (handler == null) {
            pullQueue.add(d);
        } else {
            execute(() -> {
                if (d.expireIfDue()) return;
                String failure = invokeHandler(d);
                if (failure != null) d.fail(failure);
            });
        }
    }

    private void execute(Runnable r) {
        if (executor == null) {
            loop.post(now -> r.run());
            return;
        }
        try {
            executor.execute(r);
        } catch (RejectedExecutionException e) {
            if (!stopped) throw e;
        }
    }

    /** Runs the handler; returns null on success or the failure's description. */
    String invokeHandler(RealDelivery d) {
        try {
            handler.onMessage(d);
            return null;
        } catch (Throwable e) { // even an Error: an unreported run would stall its stream forever
            handlerErrors.incrementAndGet();
            String reason = e.getClass().getName() + ": " + e.getMessage();
            loop.post(now ->
                    loop.emit(new TetherEvent.ApplicationError("handler for " + d.from() + "/" + d.lane(), reason)));
            return reason;
        }
    }

    void progress(DeliveryRun run) {
        if (stopped) return;
        loop.post(now -> {
            run.progressQueued.set(false);
            loop.engine().onProgress(now, run.key, run.generation, run.ackedUpTo.get());
        });
    }

    void report(DeliveryRun run, long ackedUpTo, long failedSeq, String reason) {
        if (stopped) return;
        loop.post(now -> loop.engine().onSettled(now, run.key, run.generation, ackedUpTo, failedSeq, reason));
    }

    /** The run ended at {@code expiredSeq}, which expired before it was handed out. */
    void reportExpired(DeliveryRun run, long ackedUpTo, long expiredSeq) {
        if (stopped) return;
        loop.post(now -> loop.engine().onExpiredInRun(now, run.key, run.generation, ackedUpTo, expiredSeq));
    }

    /** The next delivery whose time to live has not run out, waiting up to {@code timeout} for one. */
    Delivery poll(Duration timeout) throws InterruptedException {
        if (handler != null)
            throw new IllegalStateException(
                    "this node pushes deliveries to its handler; receive() is for nodes without one");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RealDelivery d = pullQueue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (d == null || !d.expireIfDue()) return d;
        }
    }

    /** Stops handing out deliveries; those in progress are no longer reported (they are redelivered later). */
    void stop() {
        stopped = true;
        pullQueue.clear();
    }
}
