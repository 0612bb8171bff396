package dev.tether.bench.net;

import dev.tether.NodeId;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Store} that forwards everything to another and counts commits, their contents and the time they take,
 * so the bench can tell what limits a durable run (commits per second, messages per commit, time per commit).
 * Thread-safe counters; the wrapped store's threading rules apply unchanged.
 */
class MeteredStore extends ForwardingStore {
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong appends = new AtomicLong();
    private final AtomicLong trims = new AtomicLong();
    private final AtomicLong cursors = new AtomicLong();
    private final AtomicLong commitNanos = new AtomicLong();
    private final AtomicLong maxCommitNanos = new AtomicLong();
    private final AtomicLong maxAppends = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private volatile long since = System.nanoTime();

    MeteredStore(Store store) {
        super(store);
    }

    @Override
    public void commit(WriteBatch batch) {
        long t = System.nanoTime();
        delegate().commit(batch);
        long d = System.nanoTime() - t;
        commits.incrementAndGet();
        appends.addAndGet(batch.appends().size());
        maxAppends.accumulateAndGet(batch.appends().size(), Math::max);
        trims.addAndGet(batch.trims().size());
        cursors.addAndGet(batch.cursors().size());
        commitNanos.addAndGet(d);
        maxCommitNanos.accumulateAndGet(d, Math::max);
    }

    @Override
    public List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max) {
        reads.incrementAndGet();
        return delegate().readOutbox(to, lane, fromSeq, max);
    }

    /** A one-line summary of the counts since the last call, which resets them. */
    String drain() {
        long now = System.nanoTime();
        double secs = Math.max(1e-9, (now - since) / 1e9);
        since = now;
        long c = commits.getAndSet(0);
        long a = appends.getAndSet(0);
        long n = commitNanos.getAndSet(0);
        return String.format(
                Locale.ROOT,
                "commits=%d (%.0f/s) appends=%d (%.1f per commit, max %d) trims=%d cursors=%d commit-time avg=%.0fus"
                        + " max=%.1fms busy=%.0f%% outbox-reads=%d",
                c,
                c / secs,
                a,
                c == 0 ? 0.0 : (double) a / c,
                maxAppends.getAndSet(0),
                trims.getAndSet(0),
                cursors.getAndSet(0),
                c == 0 ? 0.0 : n / 1e3 / c,
                maxCommitNanos.getAndSet(0) / 1e6,
                100.0 * n / 1e9 / secs,
                reads.getAndSet(0));
    }
}
