package dev.tether.internal.call;

import dev.tether.EventException;
import dev.tether.EventHandle;
import dev.tether.EventLimits;
import dev.tether.EventPoisonedException;
import dev.tether.NodeId;
import dev.tether.StaleEventException;
import dev.tether.TetherEvent;
import dev.tether.UnknownEventException;
import dev.tether.internal.engine.Effect;
import dev.tether.spi.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The events this node owns (docs/MESSAGING.md "Events"): per id its current generation ({@link EventEntry}), pending
 * or completed, and who waits for it. Every change is stored in the key-value area (namespace {@value #NAMESPACE}, key:
 * the id) through {@link CallHost#writeKeys}, together with the DONE notices it sends to remote waiters, so after a
 * crash both are stored or neither; this process's futures and the caller of the change hear of it once that commit
 * is durable. Completed events stay for late awaits, at most {@code history} of them: beyond, the oldest completed is
 * deleted (forgotten). Node thread only, except {@link #pending}.
 */
final class EventRegistry {
    static final String NAMESPACE = "_event";

    private final CallHost host;
    private final int history;
    private final Map<String, EventEntry> entries = new HashMap<>();
    /** Completed entries in the order of completion, oldest first: the history. */
    private final LinkedHashMap<String, EventEntry> completed = new LinkedHashMap<>();

    private long nextOrder = 1;
    /** Pending events: reserved by {@code createEvent} on the caller's thread, ended here. */
    final PendingEvents pending = new PendingEvents();

    final AtomicLong forgotten = new AtomicLong();
    final AtomicLong ignored = new AtomicLong();
    /** Gauges, read by any thread. */
    private final AtomicLong remoteWaiters = new AtomicLong();

    private final AtomicLong completedGauge = new AtomicLong();

    EventRegistry(CallHost host, int history) {
        this.host = host;
        this.history = history;
    }

    /** Loads the stored registry (before the node starts); returns the highest generation stored, 0 if none. */
    long load(List<KeyValue> stored, List<String> unreadable) {
        long highest = 0;
        List<EventEntry> done = new ArrayList<>();
        for (KeyValue kv : stored) {
            EventEntry e;
            try {
                e = EventEntry.decode(kv.key(), kv.value());
            } catch (IllegalArgumentException x) {
                unreadable.add(x.getMessage());
                continue;
            }
            entries.put(e.id, e);
            highest = Math.max(highest, e.generation);
            remoteWaiters.addAndGet(e.remoteWaiters.size());
            if (e.pending()) pending.loaded(e.id, e.generation);
            else done.add(e);
        }
        done.sort(Comparator.comparingLong(e -> e.order));
        for (EventEntry e : done) {
            completed.put(e.id, e);
            nextOrder = Math.max(nextOrder, e.order + 1);
        }
        completedGauge.set(completed.size());
        return highest;
    }

    /** Deletes what a smaller history than the stored one no longer keeps (after {@link #load}). */
    void trimLoaded() {
        List<Effect> effects = new ArrayList<>();
        evict(effects);
        if (!effects.isEmpty()) host.writeKeys(effects, () -> {});
    }

    /** Creates generation {@code generation} of {@code id}, superseding the one before (its waiters: stale). */
    void create(String id, long generation) {
        EventEntry old = entries.get(id);
        List<Effect> effects = new ArrayList<>();
        List<CompletableFuture<byte[]>> superseded = List.of();
        if (old != null) {
            if (completed.remove(id) != null) completedGauge.set(completed.size());
            if (old.pending()) {
                pending.ended(id, old.generation); // the creation reserved its own generation already
                for (NodeId w : old.remoteWaiters) {
                    effects.add(done(w, old.handle(host.id()), EventWire.STALE, generation, new byte[0], ""));
                }
                remoteWaiters.addAndGet(-old.remoteWaiters.size());
                superseded = new ArrayList<>(old.localWaiters);
            }
        }
        EventEntry e = new EventEntry(id, generation);
        entries.put(id, e);
        effects.add(put(e));
        List<CompletableFuture<byte[]>> stale = superseded;
        EventHandle oldHandle = old == null ? null : old.handle(host.id());
        host.writeKeys(effects, () -> {
            e.durable = true;
            for (CompletableFuture<byte[]> f : stale)
                f.completeExceptionally(new StaleEventException(oldHandle, generation));
        });
    }

    /**
     * Completes {@code h} as {@code state} (triggered with {@code payload}, or poisoned with {@code reason}); {@code
     * then} runs once that is durable, or at once if it changes nothing (the event completed already, or {@code h} is
     * stale or unknown: counted and reported, unless it is the {@code redelivery} of one that took effect).
     */
    void complete(
            EventHandle h, int state, byte[] payload, String reason, NodeId by, boolean redelivery, Runnable then) {
        EventEntry e = entries.get(h.id());
        if (e == null || e.generation != h.generation() || !e.pending()) {
            // A redelivered completion that took effect (the owner crashed before acknowledging it) is no news.
            if (!(redelivery && e != null && e.generation == h.generation())) ignored(h, e, state, by);
            then.run();
            return;
        }
        e.state = state;
        e.payload = payload;
        e.reason = reason;
        e.order = nextOrder++;
        e.durable = false;
        pending.ended(e.id, e.generation);
        List<Effect> effects = new ArrayList<>();
        for (NodeId w : e.remoteWaiters) effects.add(done(w, h, outcome(e), e.generation, payload, reason));
        remoteWaiters.addAndGet(-e.remoteWaiters.size());
        e.remoteWaiters.clear();
        effects.add(put(e));
        completed.put(e.id, e);
        evict(effects);
        host.writeKeys(effects, () -> {
            e.durable = true;
            for (CompletableFuture<byte[]> f : e.localWaiters) answer(e, f);
            e.localWaiters.clear();
            then.run();
        });
    }

    private void ignored(EventHandle h, EventEntry e, int state, NodeId by) {
        ignored.incrementAndGet();
        String what = state == EventEntry.TRIGGERED ? "trigger" : "poison";
        String why = e == null || e.generation < h.generation()
                ? "the event is unknown here (never created, or forgotten beyond the history)"
                : e.generation > h.generation()
                        ? "generation " + h.generation() + " is stale: the current one is " + e.generation
                        : "it completed already (" + (e.state == EventEntry.TRIGGERED ? "triggered" : "poisoned") + ")";
        host.emit(new TetherEvent.ApplicationError("event " + h, what + " from " + by + " ignored: " + why));
    }

    /** Waits here for {@code h} with {@code f}: at once if it completed (durably), or fails it if stale or unknown. */
    void awaitLocal(EventHandle h, CompletableFuture<byte[]> f) {
        EventEntry e = entries.get(h.id());
        EventException refusal = refusal(h, e);
        if (refusal != null) f.completeExceptionally(refusal);
        else if (e.pending() || !e.durable) e.localWaiters.add(f);
        else answer(e, f);
    }

    /** Futures waiting for events of this node, over all events (for tests). */
    int localWaiters() {
        return entries.values().stream().mapToInt(e -> e.localWaiters.size()).sum();
    }

    /** {@code f} no longer waits here for {@code h}: the application completed it itself. */
    void withdrawLocal(EventHandle h, CompletableFuture<byte[]> f) {
        EventEntry e = entries.get(h.id());
        if (e != null) e.localWaiters.remove(f);
    }

    /**
     * {@code waiter} waits for {@code h}: returns the DONE notice to send with the await's acknowledgment (completed,
     * stale, unknown, refused), or null if it was registered (then {@code registered} runs once that is durable).
     */
    Effect awaitRemote(EventHandle h, NodeId waiter, Runnable registered) {
        EventEntry e = entries.get(h.id());
        if (e == null || e.generation < h.generation()) return done(waiter, h, EventWire.UNKNOWN, 0, new byte[0], "");
        if (e.generation > h.generation()) return done(waiter, h, EventWire.STALE, e.generation, new byte[0], "");
        if (!e.pending()) return done(waiter, h, outcome(e), e.generation, e.payload, e.reason);
        if (e.remoteWaiters.contains(waiter)) {
            registered.run();
            return null;
        }
        if (e.remoteWaiters.size() >= EventLimits.MAX_REMOTE_WAITERS) {
            return done(
                    waiter,
                    h,
                    EventWire.REFUSED,
                    e.generation,
                    new byte[0],
                    "event " + h + " has " + e.remoteWaiters.size() + " remote waiters already, the most it may have");
        }
        e.remoteWaiters.add(waiter);
        remoteWaiters.incrementAndGet();
        host.writeKeys(List.of(put(e)), registered);
        return null;
    }

    /**
     * {@code waiter} no longer waits for {@code h}: it is forgotten as a waiter of the pending event (stored), then
     * {@code withdrawn} runs; at once if it was not one (the event completed, was superseded or forgotten meanwhile).
     */
    void withdrawRemote(EventHandle h, NodeId waiter, Runnable withdrawn) {
        EventEntry e = entries.get(h.id());
        if (e == null || e.generation != h.generation() || !e.pending() || !e.remoteWaiters.remove(waiter)) {
            withdrawn.run();
            return;
        }
        remoteWaiters.decrementAndGet();
        host.writeKeys(List.of(put(e)), withdrawn);
    }

    /** Why {@code h} cannot be awaited here ({@code e}: the entry of its id), or null if it can. */
    private static EventException refusal(EventHandle h, EventEntry e) {
        if (e == null || e.generation < h.generation()) return new UnknownEventException(h);
        if (e.generation > h.generation()) return new StaleEventException(h, e.generation);
        return null;
    }

    private void answer(EventEntry e, CompletableFuture<byte[]> f) {
        if (e.state == EventEntry.TRIGGERED) f.complete(e.payload.clone());
        else f.completeExceptionally(new EventPoisonedException(e.handle(host.id()), e.reason));
    }

    private static int outcome(EventEntry e) {
        return e.state == EventEntry.TRIGGERED ? EventWire.TRIGGERED : EventWire.POISONED;
    }

    /** Deletes the oldest completed entries beyond the history. */
    private void evict(List<Effect> effects) {
        Iterator<EventEntry> it = completed.values().iterator();
        while (completed.size() > history && it.hasNext()) {
            EventEntry old = it.next();
            it.remove();
            entries.remove(old.id);
            effects.add(Effect.delete(NAMESPACE, old.id));
            forgotten.incrementAndGet();
        }
        completedGauge.set(completed.size());
    }

    private static KeyValue value(EventEntry e) {
        return new KeyValue(NAMESPACE, e.id, e.encode(), 0);
    }

    private static Effect put(EventEntry e) {
        return Effect.put(value(e));
    }

    private static Effect done(NodeId to, EventHandle h, int outcome, long generation, byte[] payload, String reason) {
        return new Effect(
                to, EventWire.LANE, EventWire.HEADERS, EventWire.done(h, outcome, generation, payload, reason), 0);
    }

    /** This process is stopping: futures still waiting fail with {@code error}. */
    void failAll(RuntimeException error) {
        for (EventEntry e : entries.values()) {
            for (CompletableFuture<byte[]> f : e.localWaiters) f.completeExceptionally(error);
            e.localWaiters.clear();
        }
    }

    long completedCount() {
        return completedGauge.get();
    }

    long remoteWaiterCount() {
        return remoteWaiters.get();
    }
}
