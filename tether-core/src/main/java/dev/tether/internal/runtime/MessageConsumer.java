package dev.tether.internal.runtime;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Takes one routed message ({@link Router}) and settles it: exactly one of {@link RoutedDelivery#ack()}, {@link
 * RoutedDelivery#ackWith}, {@link RoutedDelivery#fail}, {@link RoutedDelivery#expire()} or {@link
 * RoutedDelivery#settleWithout}, now or later, from any thread. Until then the stream waits (strict order per
 * stream).
 */
public interface MessageConsumer {
    /**
     * The {@link #executor()} of a consumer that may run on any thread, even inside the engine's turn: it only hands
     * the delivery on (the pull queue).
     */
    Executor ANY_THREAD = Runnable::run;

    /**
     * Acknowledges each message at once, on whatever thread routed it: a duplicate, one
     * whose only effects (a route's forward, an endpoint's channel copies) go with the acknowledgment.
     */
    MessageConsumer ACK_NOW = new MessageConsumer() {
        @Override
        public Executor executor() {
            return ANY_THREAD;
        }

        @Override
        public void consume(RoutedDelivery d) {
            d.ack();
        }
    };

    /**
     * Where {@link #consume} runs: null for the node thread (as a command of its own, never inside the engine's
     * turn), {@link #ANY_THREAD}, or this executor. The runtime moves the stream's run there before calling {@link
     * #consume}, and keeps it on the same thread while consecutive messages run in the same place.
     */
    Executor executor();

    /**
     * Consumes {@code d}; see the class comment. Unless {@link #seesExpired()}, the message's deadline was checked
     * right before this call, on this thread: an expired message is settled as expired instead.
     */
    void consume(RoutedDelivery d);

    /**
     * Whether expired messages are consumed too, the consumer settling them as it sees fit (replies to calls, which
     * their caller counts); false by default.
     */
    default boolean seesExpired() {
        return false;
    }

    /**
     * How many messages of one stream this consumer takes at once: 1 (the default) settles each before the next is
     * routed; above 1, consecutive messages routed to this same consumer are handed to it without waiting, up to
     * this many unsettled, and may settle in any order ({@code ConcurrentWindow}).
     */
    default int concurrency() {
        return 1;
    }

    /**
     * {@link #executor()} refused the task that would have called {@link #consume}; runs on the thread that tried.
     * The consumer settles {@code d} as it sees fit; by default the attempt fails (and is retried per the node's
     * retry policy).
     */
    default void rejected(RoutedDelivery d, RejectedExecutionException e) {
        d.fail("the handler's executor rejected the task: " + e);
    }
}
