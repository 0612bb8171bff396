package dev.tether;

import java.util.Objects;

/**
 * A named handler whose writes commit in the store transaction that records its call as processed, together with
 * its reply (exactly-once effects, docs/EXACTLY-ONCE.md): register {@link #inTransaction} with {@link
 * TetherNode#handle(String, Handler)}. The node's store must support transactions of type {@code T}, else
 * registering throws {@link InvalidConfigException}.
 *
 * <p><b>Threading.</b> It runs on the store's writer thread inside the shared batch transaction (whatever {@link
 * HandlerOptions} say): keep it short and never wait on the node or the network. <b>Failure.</b> Throwing undoes
 * exactly this call's writes; a {@code sync} or {@code request} caller gets {@link RemoteHandlerException} (the
 * call is answered, not retried), a {@code tell} is retried per the {@link RetryPolicy}. <b>Validity.</b> {@code
 * transaction} is valid only during the call: any use after it returns throws {@link TransactionClosedException}.
 *
 * @param <T> the store's transaction handle type
 */
@FunctionalInterface
public interface TransactionalCallHandler<T> {
    /** Handles one call; for a request the returned bytes are the reply's payload (null: empty), as {@link Handler}. */
    byte[] handle(CallContext call, T transaction) throws Exception;

    /** The named handler that runs {@code handler} in the store's transaction of type {@code type}. */
    static <T> Handler inTransaction(Class<T> type, TransactionalCallHandler<T> handler) {
        return new InTransaction<>(type, handler);
    }

    /**
     * A {@link TransactionalCallHandler} bound to its transaction type, as {@link #inTransaction} makes it; its plain
     * {@link #handle(CallContext)} is never called by Tether and throws {@link IllegalStateException}.
     *
     * @param <T> the store's transaction handle type
     */
    final class InTransaction<T> implements Handler {
        private final Class<T> type;
        private final TransactionalCallHandler<T> handler;

        private InTransaction(Class<T> type, TransactionalCallHandler<T> handler) {
            this.type = Objects.requireNonNull(type, "type");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** The transaction handle type the store must offer. */
        public Class<T> type() {
            return type;
        }

        /** The handler. */
        public TransactionalCallHandler<T> handler() {
            return handler;
        }

        /**
         * Never called by Tether, which runs {@link #handler()} in the store's transaction instead.
         *
         * @throws IllegalStateException always
         */
        @Override
        public byte[] handle(CallContext call) {
            throw new IllegalStateException("a transactional handler runs only inside its store's transaction");
        }
    }
}
