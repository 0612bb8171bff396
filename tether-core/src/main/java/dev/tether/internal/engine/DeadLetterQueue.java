package dev.tether.internal.engine;

import dev.tether.DeadLetterLimits;
import dev.tether.DeadLetterStats;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.DeadLetterIndexEntry;
import dev.tether.spi.WriteBatch;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The node's dead-letter queue held within its bounds ({@link DeadLetterLimits}, docs/BUS-DESIGN.md section 5.2):
 * an index of the stored dead letters (identity, payload size, time; read from the store at open, Store rule 24) that
 * every store batch adding or removing one keeps exact. New dead letters wait here for the next batch; a batch that
 * takes them beyond a bound under {@code DROP_OLDEST} also removes the oldest ones; under {@code REFUSE} a message
 * that would go beyond a bound is not taken ({@link #admit}) and its stream blocks until a committed removal makes
 * room for it, except one larger than {@code maxBytes} on its own, which no removal makes room for: it is stored and
 * removed in the same batch, as under {@code DROP_OLDEST} (counted evicted), so that its stream goes on; a sweep once a minute removes the entries older than {@code maxAge}; operators' removals (purge, replay) go
 * through here too, so the index never misses one.
 *
 * <p>The index holds the committed entries and those of batches in flight. An entry a batch in flight removes stays
 * in it, marked, until that batch commits, and goes back to normal if it fails, so it keeps its place; the entries a
 * failed batch added go back to the waiting ones, in front. Counters count what committed. Not thread-safe: the
 * engine's thread. Public for the runtime: {@link #restore} before the first input, {@link #remove} and {@link
 * #stats} on the node thread.
 */
public final class DeadLetterQueue {
    /** How often the age sweep looks for entries older than {@code maxAge}. */
    public static final long SWEEP_MILLIS = 60_000;

    private static final int REQUESTED = 0, EVICTED = 1, EXPIRED = 2;

    /** One identity of the index; {@code n} > 1 only for a store holding the same identity twice (rule 22 removes both). */
    private static final class Entry {
        final WriteBatch.DeadLetterRemoval key;
        final long at;
        long size;
        int n = 1;
        /** A batch in flight (or the one being cut) removes it. */
        boolean removing;

        Entry(WriteBatch.DeadLetterRemoval key, long size, long at) {
            this.key = key;
            this.size = size;
            this.at = at;
        }
    }

    /** An entry a batch removes, and why. */
    record Removed(Entry entry, int why) {}

    /** An operator's removal of {@code keys}, reported by {@code token} ({@link EngineOutput#written}) once stored. */
    record Request(long token, List<WriteBatch.DeadLetterRemoval> keys) {}

    private record Evictions(long count, long oldestAt) {}

    private final EngineOutput out;
    private DeadLetterLimits limits = DeadLetterLimits.DEFAULT;
    private final LinkedHashMap<WriteBatch.DeadLetterRemoval, Entry> index = new LinkedHashMap<>();
    /** The entries not being removed: what the queue holds once the batches in flight commit. */
    private long count, bytes;
    /** Every entry, also those being removed: what REFUSE admits against, since a removal makes room once stored. */
    private long heldCount, heldBytes;

    private final List<DeadLetter> waiting = new ArrayList<>();
    private long waitingBytes;
    private final ArrayDeque<Request> requests = new ArrayDeque<>();
    /** Streams blocked at a message this queue refused, with its payload size, to resume when there is room for it. */
    private final LinkedHashMap<InStream, Long> blocked = new LinkedHashMap<>();

    private boolean trimDue, sweepDue;
    private long nextSweep;

    private long evicted, expired, refused;
    private long unreportedEvicted, unreportedOldest = Long.MAX_VALUE;
    private final EventThrottle<Evictions, TetherEvent.DeadLettersEvicted> evictionEvents =
            new EventThrottle<>((e, reason, suppressed) ->
                    new TetherEvent.DeadLettersEvicted(e.count(), Instant.ofEpochMilli(e.oldestAt()), suppressed));
    private final EventThrottle<TetherEvent.DeadLetterQueueFull, TetherEvent.DeadLetterQueueFull> fullEvents =
            new EventThrottle<>((e, reason, suppressed) ->
                    new TetherEvent.DeadLetterQueueFull(e.from(), e.lane(), e.seq(), reason, suppressed));

    DeadLetterQueue(EngineOutput out) {
        this.out = out;
    }

    /**
     * Before the first input: the bounds, and the index of what the store holds ({@link
     * dev.tether.spi.Store#readDeadLetterIndex}, oldest first). The first batch removes what is beyond the bounds
     * (under {@code DROP_OLDEST}) and the first tick sweeps by age.
     */
    public void restore(DeadLetterLimits limits, List<DeadLetterIndexEntry> stored) {
        this.limits = Objects.requireNonNull(limits, "limits");
        // One copy of each sender and lane: the store reads them anew for every row.
        Map<NodeId, NodeId> senders = new HashMap<>();
        Map<String, String> lanes = new HashMap<>();
        for (DeadLetterIndexEntry e : stored) {
            NodeId from = senders.computeIfAbsent(e.from(), k -> k);
            String lane = lanes.computeIfAbsent(e.lane(), k -> k);
            put(new WriteBatch.DeadLetterRemoval(from, lane, e.senderEpoch(), e.seq()), e.size(), e.atMillis());
        }
        trimDue = overBounds();
    }

    /**
     * Removes the dead letters {@code keys} name (those it holds; others are ignored) with the next batch, reported as
     * {@code token} through {@link EngineOutput#written} once stored. A failed batch's removals go into a later one.
     */
    public void remove(long token, List<WriteBatch.DeadLetterRemoval> keys) {
        requests.addLast(new Request(token, List.copyOf(keys)));
    }

    /**
     * The distinct identities among {@code keys} that the queue holds and that neither a batch nor an earlier request
     * removes yet: what a removal of {@code keys} requested now removes, so that two purges of one dead letter count
     * it once.
     */
    public List<WriteBatch.DeadLetterRemoval> removable(List<WriteBatch.DeadLetterRemoval> keys) {
        Set<WriteBatch.DeadLetterRemoval> requested = new HashSet<>();
        for (Request r : requests) requested.addAll(r.keys());
        List<WriteBatch.DeadLetterRemoval> l = new ArrayList<>();
        for (WriteBatch.DeadLetterRemoval k : new LinkedHashSet<>(keys)) {
            Entry e = index.get(k);
            if (e != null && !e.removing && !requested.contains(k)) l.add(k);
        }
        return l;
    }

    /** Every identity the queue holds and no batch or request removes yet, oldest first (a purge of all). */
    public List<WriteBatch.DeadLetterRemoval> keys() {
        List<WriteBatch.DeadLetterRemoval> l = new ArrayList<>();
        for (Entry e : index.values()) l.add(e.key);
        return removable(l);
    }

    // ---- the receivers ---------------------------------------------------------------------------------

    /**
     * Whether message {@code seq} of {@code s}, {@code size} payload bytes, may be dead-lettered now. Under {@code
     * REFUSE}, not if the queue with what waits and what batches in flight add would go beyond a bound: then the
     * refusal is counted and reported, and {@code s} resumes when there is room.
     */
    private boolean admit(long now, InStream s, long seq, long size) {
        if (limits.whenFull() == DeadLetterLimits.WhenFull.DROP_OLDEST) return true;
        if (size > limits.maxBytes()) return true; // never fits: stored and removed at once (writeTo), not blocking
        long c = heldCount + waiting.size() + 1;
        long b = heldBytes + waitingBytes + size;
        if (c <= limits.maxCount() && b <= limits.maxBytes()) return true;
        refused++;
        blocked.put(s, size);
        String reason = c > limits.maxCount()
                ? "dead-letter queue full: " + (c - 1) + " of " + limits.maxCount() + " dead letters"
                : "dead-letter queue full: " + (b - size) + " + " + size + " bytes beyond " + limits.maxBytes();
        TetherEvent.DeadLetterQueueFull e = fullEvents.offer(
                now,
                new TetherEvent.DeadLetterQueueFull(s.key.peer(), s.key.lane(), seq, reason, 0),
                reason + "; the stream waits at this message until a purge, replay or expiry makes room");
        if (e != null) out.event(e);
        return false;
    }

    /**
     * Dead-letters the next message {@code m} of {@code s}, failed after {@code attempts} with {@code reason}, with the
     * next batch; false, with {@code s} blocked at it, if the full queue refuses it ({@link #admit}).
     */
    boolean take(long now, InStream s, InMessage m, int attempts, String reason) {
        if (!admit(now, s, m.seq, m.payload().length)) {
            s.block();
            return false;
        }
        waiting.add(new DeadLetter(
                s.key.peer(), s.key.lane(), s.senderEpoch(), m.seq, m.headers(), m.payload(), attempts, reason, now));
        waitingBytes += m.payload().length;
        return true;
    }

    // ---- the store -------------------------------------------------------------------------------------

    boolean hasWrites() {
        return !waiting.isEmpty() || !requests.isEmpty() || trimDue || sweepDue;
    }

    /**
     * Cuts this queue's part of batch {@code b}: the waiting dead letters, the operators' removals, the entries older
     * than {@code maxAge} if a sweep is due, then under {@code DROP_OLDEST} the oldest entries beyond a bound.
     */
    void writeTo(long now, Batch b, WriteBatch w) {
        for (DeadLetter d : waiting) {
            w.deadLetter(d);
            b.deadLetters.add(d);
            WriteBatch.DeadLetterRemoval key = WriteBatch.DeadLetterRemoval.of(d);
            put(key, d.payload().length, d.atMillis());
            if (d.payload().length > limits.maxBytes() && limits.whenFull() == DeadLetterLimits.WhenFull.REFUSE) {
                removing(index.get(key), EVICTED, b, w); // larger than the queue may ever hold (admit)
            }
        }
        waiting.clear();
        waitingBytes = 0;
        for (Request r : requests) {
            for (WriteBatch.DeadLetterRemoval k : r.keys()) {
                Entry e = index.get(k);
                if (e != null && !e.removing) removing(e, REQUESTED, b, w);
            }
            b.deadLetterRequests.add(r);
        }
        requests.clear();
        if (sweepDue) {
            sweepDue = false;
            for (Entry e : index.values()) {
                if (!e.removing && expired(e, now)) removing(e, EXPIRED, b, w);
            }
        }
        trimDue = false;
        if (limits.whenFull() == DeadLetterLimits.WhenFull.DROP_OLDEST) {
            for (Entry e : index.values()) {
                if (!overBounds()) break;
                if (!e.removing) removing(e, EVICTED, b, w);
            }
        }
    }

    private boolean expired(Entry e, long now) {
        return now - e.at > limits.maxAgeMillis();
    }

    private boolean overBounds() {
        return count > limits.maxCount() || bytes > limits.maxBytes();
    }

    private void removing(Entry e, int why, Batch b, WriteBatch w) {
        e.removing = true;
        count -= e.n;
        bytes -= e.size;
        w.removeDeadLetter(e.key);
        b.deadLetterRemovals.add(new Removed(e, why));
    }

    private void put(WriteBatch.DeadLetterRemoval key, long size, long at) {
        Entry e = index.get(key);
        if (e == null) {
            index.put(key, new Entry(key, size, at));
        } else {
            e.n++;
            e.size += size;
        }
        count++;
        bytes += size;
        heldCount++;
        heldBytes += size;
    }

    /**
     * Batch {@code b} is durable: its removals leave the index and are counted (evictions reported), operators'
     * removals reported done; if the queue has room now, resumes the streams it blocked and returns them, to serve.
     */
    List<InStream> committed(long now, Batch b) {
        for (Removed r : b.deadLetterRemovals) {
            Entry e = r.entry();
            index.remove(e.key, e);
            heldCount -= e.n;
            heldBytes -= e.size;
            if (r.why() == EVICTED) {
                evicted += e.n;
                unreportedEvicted += e.n;
                unreportedOldest = Math.min(unreportedOldest, e.at);
            } else if (r.why() == EXPIRED) {
                expired += e.n;
            }
        }
        for (Request r : b.deadLetterRequests) out.written(r.token());
        if (unreportedEvicted > 0) reportEvictions(evictionEvents.offer(now, unreported(), null));
        if (b.deadLetterRemovals.isEmpty() || blocked.isEmpty()) return List.of();
        List<InStream> resume = new ArrayList<>();
        for (var i = blocked.entrySet().iterator(); i.hasNext(); ) {
            var e = i.next();
            if (!hasRoom(e.getValue())) continue; // it would be refused again after running once more
            i.remove();
            e.getKey().unblock(); // the refused message is handed out once more
            resume.add(e.getKey());
        }
        return resume;
    }

    /** Whether a dead letter of {@code size} payload bytes fits now (each refused one on its own). */
    private boolean hasRoom(long size) {
        return heldCount + waiting.size() < limits.maxCount() && heldBytes + waitingBytes + size <= limits.maxBytes();
    }

    private Evictions unreported() {
        return new Evictions(unreportedEvicted, unreportedOldest);
    }

    private void reportEvictions(TetherEvent.DeadLettersEvicted e) {
        if (e == null) return;
        out.event(e);
        unreportedEvicted = 0;
        unreportedOldest = Long.MAX_VALUE;
    }

    /**
     * Batch {@code b} was not stored (called for the failed batches newest first): its dead letters wait again in
     * front, its removals are undone (operators' go into a later batch; evictions and expiries are decided again).
     */
    void retryLater(Batch b) {
        for (Removed r : b.deadLetterRemovals) {
            Entry e = r.entry();
            e.removing = false;
            count += e.n;
            bytes += e.size;
            if (r.why() == EXPIRED) sweepDue = true;
        }
        for (DeadLetter d : b.deadLetters) {
            Entry e = index.get(WriteBatch.DeadLetterRemoval.of(d));
            long size = d.payload().length;
            if (e != null && --e.n == 0) index.remove(e.key);
            else if (e != null) e.size -= size;
            count--;
            bytes -= size;
            heldCount--;
            heldBytes -= size;
            waitingBytes += size;
        }
        waiting.addAll(0, b.deadLetters);
        for (int i = b.deadLetterRequests.size() - 1; i >= 0; i--) requests.addFirst(b.deadLetterRequests.get(i));
        trimDue = overBounds();
    }

    // ---- time and queries ------------------------------------------------------------------------------

    /** Once a minute: a sweep is due with the next batch if an entry is older than {@code maxAge}; held events. */
    void tick(long now) {
        if (unreportedEvicted > 0) reportEvictions(evictionEvents.flush(now));
        TetherEvent.DeadLetterQueueFull held = fullEvents.flush(now);
        if (held != null) out.event(held);
        if (now < nextSweep) return;
        nextSweep = now + SWEEP_MILLIS;
        for (Entry e : index.values()) {
            if (!e.removing && expired(e, now)) {
                sweepDue = true;
                return;
            }
        }
    }

    /** The queue now: held (with what waits for a batch) and the counters. */
    public DeadLetterStats stats() {
        long oldest = 0;
        for (Entry e : index.values()) {
            if (!e.removing) {
                oldest = e.at;
                break;
            }
        }
        if (oldest == 0 && !waiting.isEmpty()) oldest = waiting.get(0).atMillis();
        int stillBlocked = 0;
        for (InStream s : blocked.keySet()) {
            if (s.blocked()) stillBlocked++;
        }
        return new DeadLetterStats(
                count + waiting.size(), bytes + waitingBytes, oldest, evicted, expired, refused, stillBlocked, limits);
    }
}
