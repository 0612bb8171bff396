package dev.tether.internal.runtime;

import dev.tether.Delivery;
import dev.tether.InvalidConfigException;
import dev.tether.Lanes;
import dev.tether.TransactionalHandler;
import dev.tether.spi.Store;
import dev.tether.spi.TransactionalStore;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The configured {@link TransactionalHandler}: runs on the store writer's thread, each message in the store's open
 * transaction ({@link StoreWriter#runReplayable}: a savepoint shared by consecutive messages, and the handlers of the
 * earlier ones run again when one throws); returning acknowledges, so the message's cursor
 * goes into a batch that commits with its writes; throwing undoes them and fails the delivery (retried per the
 * node's policy). The handler sees the delivery without {@code ack}/{@code nack}: it settles by returning. A volatile
 * message fails without reaching it: no commit carries a volatile message's acknowledgment.
 */
public final class TransactionalConsumer<T> implements MessageConsumer {
    private final TransactionalHandler.InTransaction<T> handler;
    private final StoreWriter writer;
    private final Dispatcher dispatcher;

    TransactionalConsumer(TransactionalHandler.InTransaction<T> handler, StoreWriter writer, Dispatcher dispatcher) {
        this.handler = handler;
        this.writer = writer;
        this.dispatcher = dispatcher;
    }

    /**
     * Checks that {@code store} runs transactional work with handles of {@code type}.
     *
     * @throws InvalidConfigException naming {@code setting}, the store and the handle type otherwise
     */
    public static void check(String setting, Class<?> type, Store store) {
        if (store instanceof TransactionalStore<?> t && type.isAssignableFrom(t.transactionType())) return;
        String offers = store instanceof TransactionalStore<?> t
                ? "transactions of type " + t.transactionType().getName()
                : "no transactions an application can join";
        throw new InvalidConfigException(setting + ": a transactional handler needs a store whose transactions"
                + " it can join, with handles of type " + type.getName() + "; the store "
                + store.getClass().getSimpleName() + " offers " + offers
                + " (use dev.tether.store.sqlite.SqliteStore, whose handle is SqliteTransaction)");
    }

    @Override
    public Executor executor() {
        return writer.transactionalExecutor();
    }

    @Override
    public void consume(RoutedDelivery d) {
        RealDelivery r = (RealDelivery) d;
        String failure = null;
        try {
            if (Lanes.isVolatile(d.lane())) {
                // Nothing of a volatile message is stored, so no commit would carry its writes with it.
                throw new IllegalStateException("the node's handler is transactional: it takes durable messages only,"
                        + " not volatileDelivery() ones");
            }
            Delivery view = new SettledByReturn(d);
            // Replayable: a handler's only effects are its writes (TransactionalHandler's contract), so the store may
            // run it again when a later message under the same savepoint fails.
            writer.runReplayable(
                    tx -> handler.handler().onMessage(view, handler.type().cast(tx)));
        } catch (Throwable e) { // even an Error: an unreported run would stall its stream forever
            failure = dispatcher.handlerFailed(d, e);
        }
        r.handlerReturned(failure);
    }

    /** The delivery as a transactional handler sees it: it settles by returning, never by {@code ack}/{@code nack}. */
    private static final class SettledByReturn extends ForwardingDelivery {
        SettledByReturn(Delivery d) {
            super(d);
        }

        @Override
        public boolean ack() {
            throw new IllegalStateException("a transactional handler acknowledges by returning (its writes commit"
                    + " with the acknowledgment); ack() is not for it");
        }

        @Override
        public boolean nack() {
            throw new IllegalStateException("a transactional handler fails a message by throwing (which undoes its"
                    + " writes); nack() is not for it");
        }

        @Override
        public boolean nack(Duration retryAfter) {
            return nack();
        }
    }
}
