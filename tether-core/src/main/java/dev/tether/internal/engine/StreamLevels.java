package dev.tether.internal.engine;

import dev.tether.Priority;
import dev.tether.internal.util.WeightedLevels;
import java.util.Map;

/**
 * A stream's priority at the engine's queues (docs/PROTOCOL.md, "Priority"): how many of its messages wait there at
 * each level, so that its level is the highest of them (priority inheritance: a high message pulls its whole stream
 * forward, since it cannot overtake the messages before it), and its places in the {@link WeightedLevels}
 * schedulers. Not thread-safe: the engine's thread only.
 */
final class StreamLevels {
    /** Its place in the queue of sends waiting for a batch, or of streams due for delivery. */
    final WeightedLevels.Slot queued = new WeightedLevels.Slot();
    /** Its place in the queue of streams to transmit on. */
    final WeightedLevels.Slot wire = new WeightedLevels.Slot();

    private final int[] waiting = new int[WeightedLevels.LEVELS];

    /**
     * The level a message's headers state: its {@code :p}, else the default. An invalid value counts as the default
     * here; the receiver reports it as a protocol error ({@link #invalid}).
     */
    static int of(Map<String, String> headers) {
        if (headers.isEmpty()) return Priority.DEFAULT;
        String v = headers.get(Priority.HEADER);
        if (v == null) return Priority.DEFAULT;
        int level = Priority.parse(v);
        return level < 0 ? Priority.DEFAULT : level;
    }

    /** Whether {@code headers} carry a {@code :p} that is not one digit 0-7. */
    static boolean invalid(Map<String, String> headers) {
        if (headers.isEmpty()) return false;
        String v = headers.get(Priority.HEADER);
        return v != null && Priority.parse(v) < 0;
    }

    void add(int level) {
        waiting[level]++;
    }

    void remove(int level) {
        waiting[level]--;
    }

    void clear() {
        java.util.Arrays.fill(waiting, 0);
    }

    /** The highest level with a message waiting, or the default when none waits. */
    int level() {
        for (int l = WeightedLevels.LEVELS - 1; l >= 0; l--) {
            if (waiting[l] > 0) return l;
        }
        return Priority.DEFAULT;
    }
}
