package dev.tether.bench.storage;

import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.Store;
import dev.tether.spi.WriteBatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Store} that passes every call to another and counts commits, appended rows and the time spent in
 * {@link Store#commit}, so a run can tell how large the group-commit batches were and how much of the wall
 * time the store took. Called, like every store, from the node's one writer thread; the counters are atomic
 * only so that the benchmark thread can read them afterwards.
 */
class CountingStore extends ForwardingStore {
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong appends = new AtomicLong();
    private final AtomicLong commitNanos = new AtomicLong();
    private final AtomicLong largestBatch = new AtomicLong();
    private final AtomicLong longestCommit = new AtomicLong();

    CountingStore(Store delegate) {
        super(delegate);
    }

    @Override
    public void commit(WriteBatch batch) {
        long start = System.nanoTime();
        delegate().commit(batch);
        long took = System.nanoTime() - start;
        commitNanos.addAndGet(took);
        longestCommit.accumulateAndGet(took, Math::max);
        commits.incrementAndGet();
        int n = batch.appends().size();
        appends.addAndGet(n);
        largestBatch.accumulateAndGet(n, Math::max);
    }

    /** Commits, appended rows, the largest batch, the nanoseconds spent committing and the longest commit. */
    CommitCounts counts() {
        return new CommitCounts(
                commits.get(), appends.get(), largestBatch.get(), commitNanos.get(), longestCommit.get());
    }

    /** Counters of one store; {@link #meanBatch()} is appended rows per commit. */
    record CommitCounts(long commits, long appends, long largestBatch, long commitNanos, long longestCommitNanos) {
        double meanBatch() {
            return commits == 0 ? 0 : (double) appends / commits;
        }
    }
}
