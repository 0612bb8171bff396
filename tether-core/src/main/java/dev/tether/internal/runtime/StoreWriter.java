package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.engine.StreamPages;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.CommitObserver;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.TransactionalStore;
import dev.tether.spi.WriteBatch;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one thread that uses the {@link Store}. The engine collects writes while a commit runs, so a commit
 * carries what arrived during the previous one (group commit); it may hand over a second, full batch before
 * the first is answered, which this writer commits right after it. Commits run one at a time in the order they
 * were handed over, so a batch never becomes durable before an earlier one, and a batch queued behind one
 * that failed is not attempted (EngineOutput#persist). Results go back to the node thread as commands, in
 * commit order. A {@linkplain Store#isNonBlocking() non-blocking} store is committed to and read from the
 * node thread itself, which saves two thread hand-offs per commit; its results still arrive as commands, so
 * the engine sees the same order of events either way.
 *
 * <p><b>Transactional handlers</b> (docs/EXACTLY-ONCE.md) run on this thread, each message in a savepoint of the
 * store's open transaction ({@link TransactionalStore}); that transaction may be committed only with a batch that
 * carries the cursors of every message whose writes it holds. After each task of transactional work the writer
 * tells the node thread how much work ran ({@link #seen}); a batch records how much the node thread had seen when
 * it was cut, which its cursors therefore cover. A batch that does not cover all the work run is written into the
 * open transaction and held, unanswered, the work waits, and the engine is asked for one more batch ({@code
 * commitSoon}), which does cover it: then all commit at once. A failed commit that loses acknowledged work
 * <em>poisons</em> the writer: every later commit fails until the node restarts, because the engine counts that work
 * as processed and only a restart redelivers it.
 */
final class StoreWriter {
    private final Store store;
    private final CommitObserver observer;
    private final NodeLoop loop;
    private final ExecutorService thread;
    private final boolean inline;
    /** The last batch that failed or was not attempted; confined to the thread that commits. */
    private long lastFailedBatch;
    /** {@link #halt}: no commit or read starts any more. */
    private volatile boolean halted;
    /** The thread that commits (the latest, if the executor replaced one), or null before the first task. */
    private volatile Thread worker;

    /** The store, if it runs transactional work; else null. */
    private final TransactionalStore<?> transactional;
    /** Transactional work that returned, so far (this thread). */
    private long ran;
    /** {@link #ran} at the last commit or rollback (this thread). */
    private long settledRan;
    /** Batches written into the open transaction and not answered yet, oldest first (this thread). */
    private final ArrayDeque<Long> held = new ArrayDeque<>();
    /** Transactional tasks waiting until the held batches commit (this thread). */
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    /** Why every commit fails from now on, or null (this thread). */
    private String poison;
    /** The highest {@link #ran} the node thread has seen after the acknowledgments it covers (node thread). */
    private long seen;

    private final Executor transactionalExecutor;

    StoreWriter(Store store, CommitObserver observer, NodeLoop loop, String name) {
        this.store = store;
        this.observer = observer;
        this.loop = loop;
        this.inline = store.isNonBlocking();
        this.transactional = store instanceof TransactionalStore<?> t ? t : null;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            worker = t;
            return t;
        });
        this.transactionalExecutor = task -> thread.execute(() -> runTransactional(task));
    }

    /** Node thread: commits {@code batch}, which covers the transactional work seen so far. */
    void commit(long batchId, long afterBatchId, WriteBatch batch) {
        long covered = seen;
        if (inline) commitNow(batchId, afterBatchId, batch, covered);
        else thread.execute(() -> commitNow(batchId, afterBatchId, batch, covered));
    }

    void load(StreamKey key, long fromSeq, int max) {
        if (inline) loadNow(key, fromSeq, max);
        else thread.execute(() -> loadNow(key, fromSeq, max));
    }

    private void commitNow(long batchId, long afterBatchId, WriteBatch batch, long covered) {
        if (halted) return; // the node is gone; nobody would read the answer
        if (afterBatchId != 0 && afterBatchId == lastFailedBatch) {
            // Batches are handed over in order, so the one before this was afterBatchId, and it was not stored.
            lastFailedBatch = batchId;
            StoreException e = new StoreException("not attempted: batch " + afterBatchId + " before it failed");
            loop.post(now -> loop.engine().onCommitFailed(now, batchId, e));
            return;
        }
        long start = System.nanoTime();
        try {
            if (poison != null) throw new StoreException(poison);
            if (ran > settledRan && covered < ran) {
                hold(batchId, batch);
                return;
            }
            store.commit(batch);
            observe(start, batch, true);
            answerHeld(true, null);
            loop.post(now -> loop.engine().onCommitted(now, batchId));
            runDeferred();
        } catch (RuntimeException e) {
            lastFailedBatch = batchId;
            observe(start, batch, false);
            failed(batchId, e);
            runDeferred();
        } catch (Error e) { // unanswered, the batches would stay in flight and block every later commit
            lastFailedBatch = batchId;
            failed(batchId, new StoreException(e.toString(), e));
            endOrRethrow("store commit", e);
        }
    }

    /**
     * The commit of {@code batchId} failed with {@code e}: the held batches, older, fail first (the engine takes answers
     * in order), then it; if transactional handlers wrote since the last commit, the writer is poisoned.
     */
    private void failed(long batchId, RuntimeException e) {
        if (ran > settledRan) {
            poison = "transactional handlers' writes were rolled back with a failed commit (" + e.getMessage()
                    + "); their messages count as processed until the node restarts and redelivers them, so"
                    + " every commit fails until then";
        }
        answerHeld(false, e);
        loop.post(now -> loop.engine().onCommitFailed(now, batchId, e));
    }

    /**
     * Writes {@code batch} into the open transaction and holds its answer until a batch that covers the work commits;
     * asks the engine for that batch once per hold.
     */
    private void hold(long batchId, WriteBatch batch) {
        transactional.stage(batch);
        if (held.isEmpty()) loop.post(now -> loop.engine().commitSoon(now));
        held.addLast(batchId);
    }

    /** The open transaction ended: answers the held batches in order (committed, or failed with {@code e}). */
    private void answerHeld(boolean committed, RuntimeException e) {
        settledRan = ran;
        for (Long id : held) {
            if (committed) loop.post(now -> loop.engine().onCommitted(now, id));
            else loop.post(now -> loop.engine().onCommitFailed(now, id, e));
        }
        held.clear();
    }

    /**
     * Where transactional consumers run: this thread, waiting while batches are held (any thread may submit). One
     * instance, so that consecutive messages of a run stay in one task (DeliveryRun compares executors).
     */
    Executor transactionalExecutor() {
        return transactionalExecutor;
    }

    private void runTransactional(Runnable task) {
        if (!held.isEmpty()) {
            deferred.addLast(task);
            return;
        }
        task.run();
        long r = ran;
        // Posted after the acknowledgments the task posted: once the node thread runs this, they are in the engine.
        loop.post(now -> seen = Math.max(seen, r));
    }

    private void runDeferred() {
        while (held.isEmpty() && !deferred.isEmpty()) runTransactional(deferred.pollFirst());
    }

    /**
     * This thread, from a transactional consumer: runs {@code work} in a savepoint of the store's open transaction.
     *
     * @throws StoreException if the writer is poisoned (nothing ran)
     */
    @SuppressWarnings("unchecked")
    <T> void runInTransaction(TransactionalStore.Work<T> work) throws Exception {
        if (poison != null) throw new StoreException(poison);
        ((TransactionalStore<T>) transactional).runInTransaction(work);
        ran++;
    }

    /**
     * This thread, from a transactional message consumer: runs {@code work}, which may run again, in the store's
     * open transaction (TransactionalStore rule 6).
     *
     * @throws StoreException if the writer is poisoned (nothing ran)
     */
    @SuppressWarnings("unchecked")
    <T> void runReplayable(TransactionalStore.Work<T> work) throws Exception {
        if (poison != null) throw new StoreException(poison);
        ((TransactionalStore<T>) transactional).runReplayable(work);
        ran++;
    }

    /** The store's transaction handle type, or null if it runs no transactional work. */
    Class<?> transactionType() {
        return transactional == null ? null : transactional.transactionType();
    }

    private void observe(long start, WriteBatch batch, boolean committed) {
        try {
            observer.onCommit(
                    System.nanoTime() - start, batch.size(), batch.appends().size(), committed);
        } catch (Throwable e) {
            // CommitObserver rule 3: never a change of the commit's outcome. The observer's bug is counted; a
            // VirtualMachineError ends the node loop (the node closes itself), as the listener's does.
            if (CallbackErrors.isFatal(e)) loop.endWith("commit observer", (Error) e);
            else loop.callbackErrors().count("commit observer", e);
        }
    }

    /**
     * After the store threw {@code e} (answered already): a {@link VirtualMachineError} ends the node loop and the node
     * closes itself, as after a callback's ({@link CallbackErrors#isFatal}); on this thread it would only end the thread,
     * which the executor replaces, and leave the node running on a JVM that failed. Any other Error (a stack overflow,
     * an assertion of the store's) failed this one operation, as an exception does, and is thrown on for the log.
     */
    private void endOrRethrow(String where, Error e) {
        if (!CallbackErrors.isFatal(e)) throw e;
        loop.endWith(where, e);
    }

    private void loadNow(StreamKey key, long fromSeq, int max) {
        if (halted) return;
        try {
            List<StoredMessage> l = StreamPages.read(store, key, fromSeq, max);
            loop.post(now -> loop.engine().onLoaded(now, key, l));
        } catch (RuntimeException e) {
            loop.post(now -> loop.engine().onLoadFailed(now, key, e));
        } catch (Error e) {
            loop.post(now -> loop.engine().onLoadFailed(now, key, new StoreException(e.toString(), e)));
            endOrRethrow("store read", e);
        }
    }

    CompletableFuture<List<DeadLetter>> deadLetters(int max) {
        return read(() -> store.readDeadLetters(max));
    }

    /** Runs a read of the history on this thread (management: a query, or the summary). */
    <T> CompletableFuture<T> readHistory(java.util.function.Function<Store, T> read) {
        return read(() -> read.apply(store));
    }

    /** Reads a page of a channel's log on this thread, outside the engine's paging (a join's start by time). */
    CompletableFuture<List<ChannelMessage>> readChannel(String channel, long fromSeq, int max) {
        return read(() -> store.readChannel(channel, fromSeq, max));
    }

    /** Reads every entry of {@code namespace} of the key-value area on this thread (a layer's state when it starts). */
    CompletableFuture<List<KeyValue>> readKeys(String namespace, long nowMillis) {
        return read(() -> KeyPages.readAll(store, namespace, nowMillis));
    }

    /** Reads outbox messages on this thread, outside the engine's paging (for management). */
    CompletableFuture<List<StoredMessage>> readOutbox(NodeId to, String lane, long fromSeq, int max) {
        return read(() -> store.readOutbox(to, lane, fromSeq, max));
    }

    /**
     * Runs a read outside the engine's paging on this thread. A {@link VirtualMachineError} it throws fails the read
     * and closes the node, as one from a commit does ({@link #endOrRethrow}).
     */
    private <T> CompletableFuture<T> read(java.util.function.Supplier<T> read) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return read.get();
                    } catch (Error e) {
                        if (CallbackErrors.isFatal(e)) loop.endWith("store read", e);
                        throw e;
                    }
                },
                thread);
    }

    /** From now on no commit or read starts; one in progress runs to its end (see {@link #abandon}). */
    void halt() {
        halted = true;
    }

    /**
     * After {@link #halt}, as a killed process would: drops the queued work, interrupts the commit in progress (a
     * store blocked in an interruptible wait gives up; one inside its own I/O finishes or fails on its own),
     * waits up to {@code waitMillis} for it, then closes the store, which releases its files. Returns false,
     * leaving the store open, if the commit in progress did not end in time: closing a store under a running
     * commit is not safe.
     */
    boolean abandon(long waitMillis) {
        thread.shutdownNow();
        if (!Uninterruptibly.awaitTermination(thread, waitMillis)) return false;
        store.close();
        return true;
    }

    /**
     * Finishes the work already queued, then closes the store from the writer thread itself, so the store is
     * never closed under a running commit. Returns false if that did not happen within {@code waitMillis}
     * (the close is still queued and happens when the commit in progress ends).
     */
    boolean close(long waitMillis) {
        try {
            thread.execute(this::closeStore);
        } catch (RejectedExecutionException alreadyClosed) {
            return true;
        }
        thread.shutdown();
        return Uninterruptibly.awaitTermination(thread, waitMillis); // an interrupt must not leave the store open
    }

    /** The thread that commits, or null if none started (a store committed to on the node thread). */
    Thread thread() {
        return worker;
    }

    /** Writer thread: closes the store; a failure is logged here, where no caller waits for it any more. */
    private void closeStore() {
        try {
            store.close();
        } catch (RuntimeException e) {
            System.getLogger("dev.tether").log(System.Logger.Level.ERROR, "tether store: closing the store failed", e);
        }
    }
}
