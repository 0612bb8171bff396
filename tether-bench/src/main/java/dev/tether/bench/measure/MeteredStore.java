package dev.tether.bench.measure;

import dev.tether.NodeId;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Store} that forwards everything to another and counts commits, their contents and the time they take,
 * so a bench can tell what limits a durable run (commits per second, messages per commit, time per commit): totals
 * since it was made ({@link #counts}) and a summary of each interval ({@link #drain}). Called, like every store,
 * from the node's one writer thread; the counters are atomic so that the bench's thread can read them. With {@code
 * -Dtether.bench.commitProfile=true} each summary also says where the commit time went ({@link CommitProfile}).
 */
public class MeteredStore extends ForwardingStore {
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong appends = new AtomicLong();
    private final AtomicLong trims = new AtomicLong();
    private final AtomicLong cursors = new AtomicLong();
    private final AtomicLong commitNanos = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong largestBatch = new AtomicLong();
    private final AtomicLong longestCommit = new AtomicLong();
    /** The largest batch and the longest commit since the last {@link #drain}. */
    private final AtomicLong intervalLargestBatch = new AtomicLong();

    private final AtomicLong intervalLongestCommit = new AtomicLong();
    /** The totals at the last {@link #drain}, and when it was. */
    private CommitCounts drained = new CommitCounts(0, 0, 0, 0, 0);

    private long drainedTrims;
    private long drainedCursors;
    private long drainedReads;
    private long since = System.nanoTime();

    /** Null unless {@code -Dtether.bench.commitProfile=true}. */
    private final CommitProfile profile = CommitProfile.ENABLED ? new CommitProfile() : null;

    public MeteredStore(Store store) {
        super(store);
    }

    /**
     * With {@code -Dtether.bench.commitProfile=true}, the store's SQLite {@code file} (open), whose WAL index tells
     * the commits that ran a checkpoint apart: see {@link CommitProfile}. Nothing otherwise.
     */
    public void profileCheckpoints(Path file) {
        if (profile != null) profile.watch(file);
    }

    @Override
    public void commit(WriteBatch batch) {
        long[] before = profile == null ? null : profile.before();
        long start = System.nanoTime();
        delegate().commit(batch);
        long took = System.nanoTime() - start;
        if (profile != null) profile.after(before, took);
        int n = batch.appends().size();
        commits.incrementAndGet();
        appends.addAndGet(n);
        trims.addAndGet(batch.trims().size());
        cursors.addAndGet(batch.cursors().size());
        commitNanos.addAndGet(took);
        largestBatch.accumulateAndGet(n, Math::max);
        longestCommit.accumulateAndGet(took, Math::max);
        intervalLargestBatch.accumulateAndGet(n, Math::max);
        intervalLongestCommit.accumulateAndGet(took, Math::max);
    }

    @Override
    public List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max) {
        reads.incrementAndGet();
        return delegate().readOutbox(to, lane, fromSeq, max);
    }

    /** Commits, appended rows, the largest batch, the nanoseconds spent committing and the longest commit, in all. */
    public CommitCounts counts() {
        return new CommitCounts(
                commits.get(), appends.get(), largestBatch.get(), commitNanos.get(), longestCommit.get());
    }

    /** A one-line summary of what happened since the last call (or since the store was made); one caller at a time. */
    public String drain() {
        long now = System.nanoTime();
        double secs = Math.max(1e-9, (now - since) / 1e9);
        since = now;
        CommitCounts all = counts();
        long c = all.commits - drained.commits;
        long a = all.appends - drained.appends;
        long n = all.commitNanos - drained.commitNanos;
        long t = trims.get();
        long cur = cursors.get();
        long r = reads.get();
        String line = String.format(
                Locale.ROOT,
                "commits=%d (%.0f/s) appends=%d (%.1f per commit, max %d) trims=%d cursors=%d commit-time avg=%.0fus"
                        + " max=%.1fms busy=%.0f%% outbox-reads=%d",
                c,
                c / secs,
                a,
                c == 0 ? 0.0 : (double) a / c,
                intervalLargestBatch.getAndSet(0),
                t - drainedTrims,
                cur - drainedCursors,
                c == 0 ? 0.0 : n / 1e3 / c,
                intervalLongestCommit.getAndSet(0) / 1e6,
                100.0 * n / 1e9 / secs,
                r - drainedReads);
        if (profile != null) line += profile.drain();
        drained = all;
        drainedTrims = t;
        drainedCursors = cur;
        drainedReads = r;
        return line;
    }

    /** Counters of one store; {@link #meanBatch()} is appended rows per commit. */
    public record CommitCounts(
            long commits, long appends, long largestBatch, long commitNanos, long longestCommitNanos) {
        public double meanBatch() {
            return commits == 0 ? 0 : (double) appends / commits;
        }
    }
}
