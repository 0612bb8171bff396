package dev.tether.internal.runtime;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * What management asks of a running node, each through the queue of the thread that owns the state: the engine on
 * the node thread, the store on the store's writer thread. Thread-safe; every method returns at once with a future.
 */
public final class NodeOperations {
    private final NodeLoop loop;
    private final StoreWriter store;
    private final NodeId id;

    NodeOperations(NodeLoop loop, StoreWriter store, NodeId id) {
        this.loop = loop;
        this.store = store;
        this.id = id;
    }

    /**
     * Runs {@code query} on the node thread with the time and the engine; the future completes there with its result,
     * or with {@link NodeClosedException} if the node stopped first.
     */
    public <T> CompletableFuture<T> onNodeThread(BiFunction<Long, Engine, T> query) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.post(new NodeLoop.Command() {
            @Override
            public void run(long now) {
                try {
                    f.complete(query.apply(now, loop.engine()));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            }

            @Override
            public void refuse() {
                f.completeExceptionally(new NodeClosedException("node " + id + " is shut down"));
            }
        });
        return f;
    }

    /**
     * Completes after the first turn at whose end {@code condition} holds: it is checked on the node thread at the end
     * of every turn (the loop turns at least every tick), so a wait for node-thread state that nobody signals (what
     * a layer keeps, a stream's count) neither polls it from another thread nor reads it while it changes. Fails with
     * {@link NodeClosedException} if the node stopped first. One at a time per node, and not while it shuts down: it
     * takes the loop's after-turn slot, which shutdown uses. For tests in this module's packages.
     */
    public CompletableFuture<Void> afterTurnWhen(BooleanSupplier condition) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        NodeLoop.Command check = now -> {
            try {
                if (!f.isDone() && !condition.getAsBoolean()) return;
                f.complete(null);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
            loop.afterEachTurn(null);
        };
        loop.post(new NodeLoop.Command() {
            @Override
            public void run(long now) {
                loop.afterEachTurn(check);
            }

            @Override
            public void refuse() {
                f.completeExceptionally(new NodeClosedException("node " + id + " is shut down"));
            }
        });
        return f;
    }

    /** Whether the calling thread is the node thread. */
    public boolean onNodeThread() {
        return loop.onNodeThread();
    }

    /** Up to {@code max} dead letters, oldest first, read on the store's thread. */
    public CompletableFuture<List<DeadLetter>> deadLetters(int max) {
        return store.deadLetters(max);
    }

    /** The history entries {@code q} selects, read on the store's thread (Store rule 27). */
    public CompletableFuture<List<HistoryEntry>> history(HistoryQuery q) {
        return store.readHistory(s -> s.readHistory(q));
    }

    /** What the history holds, read on the store's thread (Store rule 28). */
    public CompletableFuture<HistoryStats> historyStats() {
        return store.readHistory(Store::historySummary);
    }

    /** Up to {@code max} outbox messages of stream ({@code to}, {@code lane}) from {@code fromSeq}, on the store's thread. */
    public CompletableFuture<List<StoredMessage>> readOutbox(NodeId to, String lane, long fromSeq, int max) {
        return store.readOutbox(to, lane, fromSeq, max);
    }

    /**
     * How often this process transmitted messages {@code fromSeq ..} ({@code count} of them) of stream ({@code to},
     * {@code lane}), asked of the engine on the node thread ({@link dev.tether.internal.engine.OutboundQueries}).
     */
    public CompletableFuture<int[]> transmissions(NodeId to, String lane, long fromSeq, int count) {
        return onNodeThread((now, engine) -> engine.outbound().transmissions(new StreamKey(to, lane), fromSeq, count));
    }

    /**
     * Removes the dead letters {@code keys} name (those the node holds and no other removal takes already; others, and
     * repeats, are ignored) with the engine's next batch, so that the bounds of the dead-letter queue count them;
     * completes on the node thread once stored, with how many it removed.
     */
    public CompletableFuture<Integer> removeDeadLetters(List<WriteBatch.DeadLetterRemoval> keys) {
        return this.<CompletableFuture<Integer>>onNodeThread((now, engine) -> {
                    List<WriteBatch.DeadLetterRemoval> removed =
                            engine.deadLetters().removable(keys);
                    CompletableFuture<Integer> done = new CompletableFuture<>();
                    if (removed.isEmpty()) done.complete(0);
                    else loop.ownWrites().removeDeadLetters(removed, () -> done.complete(removed.size()));
                    return done;
                })
                .thenCompose(f -> f);
    }

    /** Removes every dead letter the node holds, as {@link #removeDeadLetters}; completes with how many. */
    public CompletableFuture<Integer> removeAllDeadLetters() {
        return this.<CompletableFuture<Integer>>onNodeThread((now, engine) -> {
                    List<WriteBatch.DeadLetterRemoval> keys =
                            engine.deadLetters().keys();
                    CompletableFuture<Integer> done = new CompletableFuture<>();
                    if (keys.isEmpty()) done.complete(0);
                    else loop.ownWrites().removeDeadLetters(keys, () -> done.complete(keys.size()));
                    return done;
                })
                .thenCompose(f -> f);
    }
}
