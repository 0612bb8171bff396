package dev.tether.internal.engine;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.RetryPolicy;
import java.util.Set;

/**
 * The settings the engine needs, detached from the public configuration so tests can build them directly.
 *
 * @param maxBatchesInFlight store batches handed to the writer and not yet answered, at most (1 = no pipelining)
 * @param minBatchMessages the step in which a backlog of sends is split into batches while it is small; also
 *     how many sends must wait before a further batch is pipelined behind one in flight
 * @param maxBatchMessages sends per store batch, at most; more waiting sends go into later batches
 * @param pageBudgetBytes the bytes the outbound streams' in-memory pages hold beyond each page's own {@link
 *     PageBounds#FLOOR_BYTES}, together; one page takes at most a quarter of it (see {@link PageBounds})
 */
public record EngineConfig(
        NodeId self,
        Set<NodeId> peers,
        int window,
        int maxFrameBytes,
        long maxQueuedPerStream,
        long retransmitMillis,
        long maxRetransmitMillis,
        RetryPolicy retryPolicy,
        FailurePolicy failurePolicy,
        int maxRun,
        int maxBatchesInFlight,
        int minBatchMessages,
        int maxBatchMessages,
        long pageBudgetBytes) {

    /** The default of {@code maxVolatileBytes}: volatile messages held in memory until acknowledged, at most. */
    public static final long DEFAULT_MAX_VOLATILE_BYTES = 64L << 20;

    /** Bytes a data frame needs beyond the message itself (header and one message's fixed fields). */
    public static final int FRAME_OVERHEAD = 256;

    /** Target size of a DATA frame: big enough to amortise per-frame costs, small enough to interleave streams. */
    public static final int DATA_FRAME_TARGET = 64 * 1024;

    /**
     * Two: the writer starts the next commit the moment one ends, without waiting for the node thread to apply
     * the results and build the next batch. More would only queue further batches behind the writer.
     */
    public static final int DEFAULT_MAX_BATCHES_IN_FLIGHT = 2;

    /**
     * A batch takes a quarter of the waiting sends, within [{@link #DEFAULT_MIN_BATCH_MESSAGES}, this]. Each
     * commit has a fixed cost (an fsync, and about a millisecond of CPU over both nodes on the bench machine)
     * and each row about 4.5 µs of SQLite work. A saturated node (tens of thousands waiting) therefore commits
     * 4,096 at a time, about 20 ms of row work, which costs no more CPU per message than unbounded batches did
     * and keeps every commit far from the hundreds of ms those took. A backlog of a few thousand after a
     * stall at moderate load goes in steps of 512-1,000, so its oldest messages are released after a few ms,
     * not after one long transaction holding the whole backlog. See docs/BENCHMARKS.md.
     */
    public static final int DEFAULT_MAX_BATCH_MESSAGES = 4096;

    /** See {@link #DEFAULT_MAX_BATCH_MESSAGES}: 512 rows are about 2.5 ms of SQLite work. */
    public static final int DEFAULT_MIN_BATCH_MESSAGES = 512;

    /**
     * The default of {@code pageBudgetBytes}: 64 MiB, so that one stream's page may reach 16 MiB, far beyond what
     * covers a window's credit plus the receiver's commit lag at full speed (16 x 1,024 messages of 100 bytes are
     * 2 MiB), while 10,000 streams' pages hold at most 625 MiB of floors plus this.
     */
    public static final long DEFAULT_PAGE_BUDGET_BYTES = 64L << 20;

    public EngineConfig {
        peers = Set.copyOf(peers);
        if (pageBudgetBytes < 0) throw new IllegalArgumentException("pageBudgetBytes " + pageBudgetBytes);
        if (maxBatchesInFlight < 1) throw new IllegalArgumentException("maxBatchesInFlight " + maxBatchesInFlight);
        if (minBatchMessages < 1 || maxBatchMessages < minBatchMessages) {
            throw new IllegalArgumentException(
                    "batch messages must satisfy 1 <= min <= max: " + minBatchMessages + ", " + maxBatchMessages);
        }
    }

    /** With the default page budget. */
    public EngineConfig(
            NodeId self,
            Set<NodeId> peers,
            int window,
            int maxFrameBytes,
            long maxQueuedPerStream,
            long retransmitMillis,
            long maxRetransmitMillis,
            RetryPolicy retryPolicy,
            FailurePolicy failurePolicy,
            int maxRun,
            int maxBatchesInFlight,
            int minBatchMessages,
            int maxBatchMessages) {
        this(
                self,
                peers,
                window,
                maxFrameBytes,
                maxQueuedPerStream,
                retransmitMillis,
                maxRetransmitMillis,
                retryPolicy,
                failurePolicy,
                maxRun,
                maxBatchesInFlight,
                minBatchMessages,
                maxBatchMessages,
                DEFAULT_PAGE_BUDGET_BYTES);
    }

    /** With the default store batching. */
    public EngineConfig(
            NodeId self,
            Set<NodeId> peers,
            int window,
            int maxFrameBytes,
            long maxQueuedPerStream,
            long retransmitMillis,
            long maxRetransmitMillis,
            RetryPolicy retryPolicy,
            FailurePolicy failurePolicy,
            int maxRun) {
        this(
                self,
                peers,
                window,
                maxFrameBytes,
                maxQueuedPerStream,
                retransmitMillis,
                maxRetransmitMillis,
                retryPolicy,
                failurePolicy,
                maxRun,
                DEFAULT_MAX_BATCHES_IN_FLIGHT,
                DEFAULT_MIN_BATCH_MESSAGES,
                DEFAULT_MAX_BATCH_MESSAGES);
    }

    /**
     * Outbound messages kept in memory per stream while the receiver's credit stays within them, and a channel's
     * window of shared messages; later ones are paged from the store. See {@link PageBounds}.
     */
    public int pageMessages() {
        return Math.max(2 * window, 256);
    }

    /** Outbound messages kept in memory per stream at most, while the credit reaches beyond {@link #pageMessages}. */
    public int maxPageMessages() {
        return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(16L * window, pageMessages()));
    }

    /** The same settings with another {@code pageBudgetBytes}. */
    public EngineConfig withPageBudgetBytes(long bytes) {
        return new EngineConfig(
                self,
                peers,
                window,
                maxFrameBytes,
                maxQueuedPerStream,
                retransmitMillis,
                maxRetransmitMillis,
                retryPolicy,
                failurePolicy,
                maxRun,
                maxBatchesInFlight,
                minBatchMessages,
                maxBatchMessages,
                bytes);
    }
}
