package dev.tether.internal.engine;

import dev.tether.Lanes;
import dev.tether.spi.WriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The store-batch pipeline (group commit): collects what the sender streams, the receiver streams and the peers
 * have to write into one {@link WriteBatch}, hands it to {@link EngineOutput#persist}, and gives each unit its
 * part of the answer. Up to {@code maxBatchesInFlight} batches are in flight; the writer commits and answers them
 * in order, and a failure fails every batch behind it (docs/PROTOCOL.md, sender step 1). Not thread-safe.
 */
final class StoreBatches {
    /** After a failed commit, the next batch waits this long. */
    private static final long RETRY_MILLIS = 100;
    /**
     * After a failed batch that carried settlement effects, how long the cursors that carry effects wait out of the
     * batches ({@link #failed}): one write that does not fit a full store must not hold every other stream's cursor.
     */
    static final long HOLD_EFFECTS_MILLIS = 1_000;
    /** How often a batch also removes the expired entries of the store's key-value area (Store rule 14). */
    static final long KEY_EXPIRY_INTERVAL_MILLIS = 10 * 60_000;

    private final EngineConfig cfg;
    private final EngineOutput out;
    private final Statistics stats;
    private final Senders senders;
    private final Receivers receivers;
    private final PeerTable peers;
    private final SharedLogs logs;
    private final DeadLetterQueue deadLetters;
    private final HistoryRecorder history;

    /** Batches handed to {@code persist} and not yet answered, oldest first; answers come in this order. */
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    /**
     * Batches up to this id were in flight behind a failed one and are already treated as failed; the writer
     * reports them failed without attempting them (see {@link EngineOutput#persist}).
     */
    private long abandonedUpTo;

    private long nextBatchId = 1;
    private long retryAt;
    /** Until then (0: not), the cursors that carry effects are held out of the batches ({@link #failed}). */
    private long holdEffectsUntil;
    /** Failed batches with effects since a batch with effects committed ({@link #failed}). */
    private int failuresWithEffects;

    private long nextKeyExpiry;
    /** {@link #commitSoon}: the next batch starts at once, even while batches are in flight. */
    private boolean urgent;
    /** Early batches in flight ({@link #startDue}): at most one; they do not hold the ordinary batches back. */
    private int earlyInFlight;
    /** Writes of {@link #writeKeys} waiting for the next batch, oldest first. */
    private final ArrayDeque<Batch.LocalWrite> localWrites = new ArrayDeque<>();

    StoreBatches(
            EngineConfig cfg,
            EngineOutput out,
            Statistics stats,
            Senders senders,
            Receivers receivers,
            PeerTable peers,
            SharedLogs logs,
            DeadLetterQueue deadLetters) {
        this.cfg = cfg;
        this.out = out;
        this.stats = stats;
        this.senders = senders;
        this.receivers = receivers;
        this.peers = peers;
        this.logs = logs;
        this.deadLetters = deadLetters;
        this.history = new HistoryRecorder(cfg.self());
        receivers.history(history);
    }

    /** The history recorder (off until started). */
    HistoryRecorder history() {
        return history;
    }

    /**
     * Starts store batches. The first starts as soon as there is anything to write. While batches are in flight,
     * up to {@code maxBatchesInFlight}, a further one starts only if at least {@code minBatchMessages} sends
     * wait: fewer wait for the commit in flight, so that at low load one commit still takes everything that
     * arrived during the previous one, while a backlog goes to the writer back to back in batches of bounded
     * size. The writer commits them in order, one after the other.
     *
     * <p>Sends above the default level ({@link Senders#highPending}) do not wait for that: they get an early batch at
     * once, even while batches are in flight (at most one early batch, besides the others), whose appends stop once
     * none of them waits, so it does not carry a flood's backlog (docs/PROTOCOL.md, "Priority"). It is cut before the
     * ordinary batch, which takes the rest; the ordinary batches do not count it, so a steady stream of high sends
     * holds no lower send back.
     */
    void startDue(long now) {
        if (now < retryAt) return;
        if (holdEffectsUntil != 0 && now >= holdEffectsUntil) { // tried again with the next batch
            holdEffectsUntil = 0;
            receivers.releaseHeld();
        }
        if (earlyInFlight == 0 && inFlight.size() <= cfg.maxBatchesInFlight() && senders.highPending()) {
            start(now, true);
        }
        while (inFlight.size() - earlyInFlight < cfg.maxBatchesInFlight() + (urgent ? 1 : 0)
                && (urgent
                        || (hasWrites()
                                && (inFlight.size() == earlyInFlight || pending() >= cfg.minBatchMessages())))) {
            start(now, false);
        }
    }

    /**
     * The writer holds the batches in flight until a batch cut after now commits with them (transactional handlers:
     * StoreWriter): the next one starts at once, even empty, while batches are in flight, and one beyond {@code
     * maxBatchesInFlight}, since those in flight cannot be answered before it.
     */
    void commitSoon() {
        urgent = true;
    }

    /**
     * Queues {@code effects} for the next batch ({@link Engine#writeKeys}). A message effect on a volatile lane is
     * refused: it would be sent without the stored write it goes with.
     *
     * @throws IllegalArgumentException for a message effect on a volatile lane
     */
    void writeKeys(long token, List<Effect> effects) {
        for (Effect e : effects) {
            if (!e.isLocalWrite() && Lanes.isVolatile(e.lane())) {
                throw new IllegalArgumentException("a stored write cannot send on volatile lane " + e.lane());
            }
        }
        localWrites.addLast(new Batch.LocalWrite(token, List.copyOf(effects)));
    }

    private boolean hasWrites() {
        return senders.hasWrites()
                || receivers.hasWrites()
                || peers.hasWrites()
                || logs.hasWrites()
                || deadLetters.hasWrites()
                || !localWrites.isEmpty();
    }

    /** Sends and publishes waiting for a batch. */
    private long pending() {
        return senders.pendingSends() + logs.pendingPublishes();
    }

    /** Cuts and persists a batch; {@code high}: an early one for the sends above the default level ({@link #startDue}). */
    private void start(long now, boolean high) {
        urgent = false;
        Batch b = new Batch(nextBatchId++);
        b.early = high;
        if (high) earlyInFlight++;
        WriteBatch w = new WriteBatch();
        if (now > 0 && now >= nextKeyExpiry) { // rides on a batch that goes anyway; lost with a failed one, retried
            w.removeExpiredKeys(now);
            nextKeyExpiry = now + KEY_EXPIRY_INTERVAL_MILLIS;
        }
        senders.writeTo(now, b, w, batchSize(senders.pendingSends()), logs, high);
        logs.writeTo(now, b, w, high ? 0 : batchSize(logs.pendingPublishes())); // after the senders' cursor moves
        receivers.writeTo(b, w, holdEffectsUntil != 0);
        deadLetters.writeTo(now, b, w); // with the cursors that moved past them
        for (Batch.LocalWrite l : localWrites) {
            b.localWrites.add(l);
            b.effects.addAll(l.effects());
        }
        localWrites.clear();
        logs.applyEffects(now, b, w); // the channel effects and publishes, taken out of b.effects
        senders.appendEffects(now, b, w); // with the cursors they belong to, in this same batch
        peers.writeTo(b, w);
        history.writeTo(now, b, w); // last: it records the batch's appends and publishes, and the cursors' settlements
        long after = inFlight.isEmpty() ? 0 : inFlight.peekLast().id;
        inFlight.addLast(b);
        out.persist(b.id, after, w);
    }

    /**
     * How many waiting sends the next batch takes: all of them up to {@code minBatchMessages}, else a quarter,
     * within [{@code minBatchMessages}, {@code maxBatchMessages}]. A small backlog thus goes in small steps (its
     * oldest messages are stored after one short commit, not after one holding the whole backlog), and a large
     * one in large steps (a saturated store spends its time on rows, not on per-commit costs). Sends and publishes
     * (which wait apart) are each sized so.
     */
    private int batchSize(long pending) {
        long size = Math.max(cfg.minBatchMessages(), Math.min(cfg.maxBatchMessages(), pending / 4));
        return (int) Math.min(size, pending);
    }

    /** Batch {@code batchId}, the oldest in flight, is durable: each unit applies what it changes. */
    void committed(long now, long batchId) {
        Batch b = answered(batchId, true);
        if (failuresWithEffects != 0 && carriedEffects(b)) failuresWithEffects = 0;
        senders.committed(now, b);
        logs.committed(b);
        receivers.committed(now, b);
        history.committed(b);
        for (Batch.LocalWrite l : b.localWrites) out.written(l.token());
    }

    /**
     * Batch {@code batchId} was not stored. Every batch in flight behind it fails with it: the writer does not
     * attempt them (EngineOutput#persist), so the store holds exactly the batches before it. Their sends fail,
     * their numbers are free again, and their other writes go into a later batch.
     */
    void failed(long now, long batchId, Exception error) {
        Batch first = answered(batchId, false);
        if (first == null) return; // Abandoned with an earlier failure, already handled.
        List<Batch> failed = new ArrayList<>(inFlight.size() + 1);
        failed.add(first);
        failed.addAll(inFlight);
        if (!inFlight.isEmpty()) abandonedUpTo = inFlight.peekLast().id;
        inFlight.clear();
        earlyInFlight = 0;
        retryAt = now + RETRY_MILLIS;
        boolean effects = false;
        for (Batch b : failed) effects |= carriedEffects(b);
        // The first retry takes everything again (a passing failure); a second failure with effects holds them.
        if (effects && ++failuresWithEffects >= 2) holdEffectsUntil = now + HOLD_EFFECTS_MILLIS;
        String reason = "store commit failed: " + error.getMessage();
        stats.storeFailed(now, reason);
        for (Batch b : failed) {
            senders.appendsFailed(b, reason, error);
            logs.appendsFailed(b, reason, error);
        }
        for (int i = failed.size() - 1; i >= 0; i--) { // Newest first: each goes in front.
            Batch b = failed.get(i);
            senders.retryLater(b);
            logs.retryLater(b);
            receivers.retryLater(b);
            history.retryLater(b);
            peers.retryLater(b);
            for (int j = b.localWrites.size() - 1; j >= 0; j--) localWrites.addFirst(b.localWrites.get(j));
        }
    }

    /**
     * Whether batch {@code b} carried settlement effects (a reply, a routed copy, a key): the store may have refused
     * those (a full store still takes cursors and trims, not new rows: OPERATIONS.md, "Size limit"), so after a second
     * failure with effects the retries hold the cursors that carry effects for {@link #HOLD_EFFECTS_MILLIS} and the
     * others commit meanwhile. Not the
     * dead letters, completed-ahead marks or local writes: they still go with every batch.
     */
    private static boolean carriedEffects(Batch b) {
        for (Batch.Cursor c : b.cursors) {
            if (!c.effects().isEmpty()) return true;
        }
        return false;
    }

    /**
     * Takes the answered batch off the pipeline. Answers come in persist order; a failure of a batch that was
     * abandoned with an earlier failure returns null.
     */
    private Batch answered(long batchId, boolean committed) {
        Batch head = inFlight.peekFirst();
        if (head != null && head.id == batchId) {
            if (head.early) earlyInFlight--;
            return inFlight.pollFirst();
        }
        if (!committed && batchId <= abandonedUpTo && (head == null || batchId < head.id)) return null;
        throw new IllegalStateException("batch " + batchId + (committed ? " committed" : " failed")
                + " out of order: the oldest batch in flight is " + (head == null ? "none" : head.id)
                + (batchId <= abandonedUpTo ? " and it was abandoned after an earlier failure" : ""));
    }

    /** True when no store batch is being committed and none is waiting to start. */
    boolean idle() {
        return inFlight.isEmpty() && !hasWrites();
    }

    /** Store batches handed to {@code persist} and not yet answered. */
    int inFlight() {
        return inFlight.size();
    }
}
