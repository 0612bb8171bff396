package dev.tether.internal.runtime;

import dev.tether.StoreException;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.CommitObserver;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that uses the {@link Store}. The engine collects writes while a commit runs, so a commit
 * carries what arrived during the previous one (group commit); it may hand over a second, full batch before
 * the first is answered, which this writer commits right after it. Commits run one at a time in the order they
 * were handed over, so a batch never becomes durable before an earlier one, and a batch queued behind one
 * that failed is not attempted (EngineOutput#persist). Results go back to the node thread as commands, in
 * commit order. A {@linkplain Store#isNonBlocking() non-blocking} store is committed to and read from the
 * node thread itself, which saves two thread hand-offs per commit; its results still arrive as commands, so
 * the engine sees the same order of events either way.
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

    StoreWriter(Store store, CommitObserver observer, NodeLoop loop, String name) {
        this.store = store;
        this.observer = observer;
        this.loop = loop;
        this.inline = store.isNonBlocking();
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    void commit(long batchId, long afterBatchId, WriteBatch batch) {
        if (inline) commitNow(batchId, afterBatchId, batch);
        else thread.execute(() -> commitNow(batchId, afterBatchId, batch));
    }

    void load(StreamKey key, long fromSeq, int max) {
        if (inline) loadNow(key, fromSeq, max);
        else thread.execute(() -> loadNow(key, fromSeq, max));
    }

    private void commitNow(long batchId, long afterBatchId, WriteBatch batch) {
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
            store.commit(batch);
            observe(start, batch, true);
            loop.post(now -> loop.engine().onCommitted(now, batchId));
        } catch (RuntimeException e) {
            lastFailedBatch = batchId;
            observe(start, batch, false);
            loop.post(now -> loop.engine().onCommitFailed(now, batchId, e));
        } catch (Error e) { // unanswered, the batch would stay in flight and block every later commit
            lastFailedBatch = batchId;
            loop.post(now -> loop.engine().onCommitFailed(now, batchId, new StoreException(e.toString(), e)));
            throw e;
        }
    }

    private void observe(long start, WriteBatch batch, boolean committed) {
        try {
            observer.onCommit(
                    System.nanoTime() - start, batch.size(), batch.appends().size(), committed);
        } catch (RuntimeException e) { // CommitObserver rule 3: counted, never a change of the commit's outcome
            loop.countListenerError("commit observer", e);
        }
    }

    private void loadNow(StreamKey key, long fromSeq, int max) {
        if (halted) return;
        try {
            List<StoredMessage> l = store.readOutbox(key.peer(), key.lane(), fromSeq, max);
            loop.post(now -> loop.engine().onLoaded(now, key, l));
        } catch (RuntimeException e) {
            loop.post(now -> loop.engine().onLoadFailed(now, key, e));
        } catch (Error e) {
            loop.post(now -> loop.engine().onLoadFailed(now, key, new StoreException(e.toString(), e)));
            throw e;
        }
    }

    CompletableFuture<List<DeadLetter>> deadLetters(int max) {
        return CompletableFuture.supplyAsync(() -> store.readDeadLetters(max), thread);
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
        try {
            if (!thread.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
            thread.execute(store::close);
        } catch (RejectedExecutionException alreadyClosed) {
            return true;
        }
        thread.shutdown();
        try {
            return thread.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
