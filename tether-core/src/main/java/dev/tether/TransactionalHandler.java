package dev.tether;

import java.util.Objects;

/**
 * A message handler whose writes commit in the store transaction that records its message as processed
 * (exactly-once effects, docs/EXACTLY-ONCE.md). Given to {@code TetherConfig.Builder.handler} through {@link
 * #inTransaction}; the node's store must support transactions of type {@code T} (the SQLite store's is {@code
 * dev.tether.store.sqlite.SqliteTransaction}), else the node refuses to start with {@link InvalidConfigException}.
 *
 * <p><b>Threading.</b> It runs on the store's writer thread, one message at a time for the whole node, inside the
 * batch transaction that group commit shares among many messages: keep it short (a few statements), never wait on
 * the node or the network from it. <b>Failure.</b> Throwing undoes exactly this message's writes and the
 * message is redelivered per the node's {@link RetryPolicy}, like any failed delivery. <b>Runs again.</b>
 * Consecutive messages share a savepoint, so a throw also undoes the writes of up to 63 messages before it, whose
 * handlers then run again in the same transaction: the handler may run more than once for a message (also after a
 * crash or a retry), and only its writes through {@code transaction} are exactly once. <b>Validity.</b> {@code
 * transaction} is valid only during the call: any use after it returns throws {@link TransactionClosedException}.
 *
 * @param <T> the store's transaction handle type
 */
@FunctionalInterface
public interface TransactionalHandler<T> {
    /** Handles one delivery: returning acknowledges it, together with the writes made through {@code transaction}. */
    void onMessage(Delivery delivery, T transaction) throws Exception;

    /**
     * The node's handler that runs {@code handler} in the store's transaction of type {@code type}; give it to
     * {@code TetherConfig.Builder.handler}. The node then acknowledges each delivery when the handler returns
     * ({@link AckMode#AUTO}; {@code MANUAL} is refused at start).
     */
    static <T> MessageHandler inTransaction(Class<T> type, TransactionalHandler<T> handler) {
        return new InTransaction<>(type, handler);
    }

    /**
     * A {@link TransactionalHandler} bound to its transaction type, as {@link #inTransaction} makes it. Tether runs
     * it inside the store's transaction; its plain {@link #onMessage(Delivery)} is never called by Tether and throws
     * {@link IllegalStateException}.
     *
     * @param <T> the store's transaction handle type
     */
    final class InTransaction<T> implements MessageHandler {
        private final Class<T> type;
        private final TransactionalHandler<T> handler;

        private InTransaction(Class<T> type, TransactionalHandler<T> handler) {
            this.type = Objects.requireNonNull(type, "type");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** The transaction handle type the store must offer. */
        public Class<T> type() {
            return type;
        }

        /** The handler. */
        public TransactionalHandler<T> handler() {
            return handler;
        }

        /**
         * Never called by Tether, which runs {@link #handler()} in the store's transaction instead.
         *
         * @throws IllegalStateException always
         */
        @Override
        public void onMessage(Delivery delivery) {
            throw new IllegalStateException("a transactional handler runs only inside its store's transaction");
        }
    }
}
