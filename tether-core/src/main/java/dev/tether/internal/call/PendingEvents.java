package dev.tether.internal.call;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The ids of the events this node owns that are pending, each with its latest generation: what {@code maxPending}
 * bounds (docs/MESSAGING.md "Events"). A creation reserves its id here on the caller's thread, before the node thread
 * stores it, so the bound is exact under concurrent creations: a new id takes a place if one is free, while a
 * re-creation of an id that is pending (or reserved) takes none, since it supersedes that one. The node thread ends a
 * generation (completed, superseded) by its number, so the end of an older generation leaves a newer reservation of
 * the same id in place. Any thread.
 */
final class PendingEvents {
    private final Map<String, Long> latest = new HashMap<>();

    /** {@code id} is pending as {@code generation} (a stored event loaded at start). */
    synchronized void loaded(String id, long generation) {
        latest.put(id, generation);
    }

    /**
     * Reserves {@code id} for a new generation and hands it to {@code create} (which posts the creation to the node
     * thread: under this lock, so that creations of one id reach the node thread in the order of their generations);
     * returns the generation, or -1 if {@code id} is not pending and {@code max} events are. A {@code create} that
     * throws takes the reservation back.
     */
    synchronized long reserve(String id, int max, LongSupplier generations, LongConsumer create) {
        Long previous = latest.get(id);
        if (previous == null && latest.size() >= max) return -1;
        long generation = generations.getAsLong();
        latest.put(id, generation);
        try {
            create.accept(generation);
        } catch (RuntimeException e) {
            if (previous == null) latest.remove(id, generation);
            else latest.replace(id, generation, previous);
            throw e;
        }
        return generation;
    }

    /** Generation {@code generation} of {@code id} is no longer pending (node thread); a newer one stays. */
    synchronized void ended(String id, long generation) {
        latest.remove(id, generation);
    }

    /** How many events are pending or reserved. */
    synchronized int count() {
        return latest.size();
    }
}
