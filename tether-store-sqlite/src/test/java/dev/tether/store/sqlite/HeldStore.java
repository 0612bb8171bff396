package dev.tether.store.sqlite;

import dev.tether.StoreException;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A store whose commits pass through until it is {@linkplain #holdNext armed}; the next commit the predicate
 * accepts then waits in the store writer until the writer is interrupted, as a node crash ({@code NodeCrash}) does,
 * and fails: the batch is never committed, as if the process had died during the commit. Lets a crash test stop a
 * node at an exact point between two commits.
 */
final class HeldStore extends ForwardingStore {
    private final AtomicReference<Predicate<WriteBatch>> armed = new AtomicReference<>();
    private final CountDownLatch holding = new CountDownLatch(1);
    private volatile WriteBatch held;

    HeldStore(Store delegate) {
        super(delegate);
    }

    /** Holds the next commit of a batch that {@code which} accepts (once). */
    void holdNext(Predicate<WriteBatch> which) {
        armed.set(which);
    }

    /** Holds the next commit, whatever it holds. */
    void holdNext() {
        holdNext(b -> true);
    }

    /** Whether a commit is held within {@code wait}. */
    boolean awaitHolding(Duration wait) throws InterruptedException {
        return holding.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The batch held, or null. */
    WriteBatch held() {
        return held;
    }

    @Override
    public void commit(WriteBatch batch) {
        Predicate<WriteBatch> which = armed.get();
        if (which != null && which.test(batch) && armed.compareAndSet(which, null)) {
            held = batch;
            holding.countDown();
            try {
                new CountDownLatch(1).await(); // until the crash interrupts the store writer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("the process died during this commit");
            }
        }
        super.commit(batch);
    }
}
