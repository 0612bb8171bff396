package dev.tether.internal.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The streams' timers by due time, so that a tick looks only at the streams whose timer is due, never at the idle
 * ones (issue 14 item 4: no work per tick proportional to the number of streams).
 *
 * <p>A hashed timing wheel: {@value #SLOTS} slots of {@value #SLOT_MILLIS} ms, so that arming is an append and a tick
 * visits only the slots that passed since the last one (a heap cost a dozen cache misses per timer with 10,000
 * active streams). A stream arms its timer with {@link #arm} whenever its earliest deadline moves earlier than the
 * one it is queued under; a deadline that moves later leaves the entry in place, which is handed out at the earlier
 * time, and the stream, finding its deadline not passed, arms again at the real one. So a stream costs at most one
 * entry per timeout period however often its deadline moves. An entry is handed out on the first {@link #takeDue}
 * at or after its time, never before (one more than a turn of the wheel ahead waits in the wheel's last slot until
 * it is). Not thread-safe: the engine's thread only.
 */
final class TimerQueue<S extends TimerQueue.Timed> {
    /** A stream with a timer: it keeps the time it is queued under, and nothing else touches it. */
    interface Timed {
        /** The due time of this stream's queued entry, {@code Long.MAX_VALUE} if none. */
        long queuedAt();

        void queuedAt(long at);
    }

    static final int SLOTS = 1024;
    static final long SLOT_MILLIS = 4;

    private record Entry<S>(long at, S stream) {}

    /** The slots; one never used is null (an engine with few timers allocates few lists). */
    private final List<List<Entry<S>>> wheel = new ArrayList<>(Collections.nCopies(SLOTS, null));
    /** The earliest slot (time / SLOT_MILLIS) that may hold entries; none is queued before it. */
    private long cursor = Long.MIN_VALUE;

    private int size;

    /** Queues {@code s} at {@code at} unless it is queued already at or before then; {@code Long.MAX_VALUE}: none. */
    void arm(S s, long at) {
        if (at >= s.queuedAt()) return;
        s.queuedAt(at);
        place(new Entry<>(at, s));
    }

    private void place(Entry<S> e) {
        long slot = Math.floorDiv(e.at(), SLOT_MILLIS);
        if (cursor == Long.MIN_VALUE) cursor = slot;
        // Before the cursor: in the cursor's slot, looked at on the next take. Beyond a turn: in the last slot of
        // this turn, handed out early there (the stream arms again).
        slot = Math.min(Math.max(slot, cursor), cursor + SLOTS - 1);
        int i = (int) Math.floorMod(slot, (long) SLOTS);
        List<Entry<S>> entries = wheel.get(i);
        if (entries == null) wheel.set(i, entries = new ArrayList<>(4));
        entries.add(e);
        size++;
    }

    /**
     * The streams whose entry is due at {@code now}, each once, taken off the queue (each must be looked at and
     * armed again if it still has a deadline: one handed out early finds its deadline not passed); entries superseded
     * by an earlier one of the same stream are dropped.
     */
    List<S> takeDue(long now) {
        long last = Math.floorDiv(now, SLOT_MILLIS);
        if (size == 0 || last < cursor) {
            if (size == 0) cursor = last;
            return List.of();
        }
        List<S> due = List.of();
        List<Entry<S>> later = List.of();
        long end = Math.min(last, cursor + SLOTS - 1);
        for (long slot = cursor; slot <= end && size > 0; slot++) {
            int i = (int) Math.floorMod(slot, (long) SLOTS);
            List<Entry<S>> entries = wheel.get(i);
            if (entries == null || entries.isEmpty()) continue;
            wheel.set(i, null);
            size -= entries.size();
            for (Entry<S> e : entries) {
                S s = e.stream();
                if (s.queuedAt() != e.at()) continue; // superseded by an earlier entry of the stream
                if (e.at() > now) { // in the current slot but not yet due
                    if (later.isEmpty()) later = new ArrayList<>();
                    later.add(e);
                    continue;
                }
                s.queuedAt(Long.MAX_VALUE);
                if (due.isEmpty()) due = new ArrayList<>();
                due.add(s);
            }
        }
        cursor = last;
        for (Entry<S> e : later) place(e);
        return due;
    }

    /** Entries queued, superseded ones included; for tests of the bound. */
    int size() {
        return size;
    }
}
