package dev.tether.internal.runtime;

import dev.tether.Priority;
import dev.tether.internal.util.WeightedLevels;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node loop's input, by priority (docs/PROTOCOL.md, "Priority"): one lock-free FIFO queue per level 0-7, taken
 * in the order of a {@link WeightedLevels} over the levels with commands (level {@code l} weighing {@code 2^l}, so a
 * level-7 command passes the queued level-0 ones and level 0 still gets one pick in 129 under a level-7 flood). FIFO
 * within a level. While only the default level has commands (every node that does not use priority), a poll is one
 * volatile read more than a plain {@link ConcurrentLinkedQueue}'s.
 *
 * <p>Threading: {@link #add} from any thread, without locks (one {@link ConcurrentLinkedQueue} offer, and a counter
 * increment for a level other than the default); everything else on the node thread only. Order across levels is the
 * scheduler's: commands whose relative order matters (one stream's sends) must be added at one level, which {@link
 * SendRooms.Room#enterInput} sees to.
 */
final class LeveledInput {
    private static final int DEFAULT = Priority.DEFAULT;

    /** One level's queue, a member of the scheduler. */
    private static final class Level {
        final int level;
        final ConcurrentLinkedQueue<NodeLoop.Command> queue = new ConcurrentLinkedQueue<>();
        final WeightedLevels.Slot slot = new WeightedLevels.Slot();

        Level(int level) {
            this.level = level;
        }
    }

    private final Level[] levels = new Level[WeightedLevels.LEVELS];
    /** Commands added at levels other than the default and not taken yet (counted before they are queued). */
    private final AtomicInteger elsewhere = new AtomicInteger();

    private final WeightedLevels<Level> picker = new WeightedLevels<>(l -> l.slot);
    private int lastLevel = DEFAULT;

    LeveledInput() {
        for (int l = 0; l < levels.length; l++) levels[l] = new Level(l);
    }

    /** Any thread: queues {@code c} at {@code level}, behind the commands of that level. */
    void add(NodeLoop.Command c, int level) {
        if (level != DEFAULT) elsewhere.incrementAndGet();
        levels[level].queue.add(c);
    }

    /** Node thread: the next command by level, taken out; null if none is queued. */
    NodeLoop.Command poll() {
        if (elsewhere.get() == 0) {
            lastLevel = DEFAULT;
            return levels[DEFAULT].queue.poll();
        }
        for (Level l : levels) {
            if (l.slot.level() < 0 && !l.queue.isEmpty()) picker.add(l, l.level);
        }
        for (Level l = picker.next(); l != null; l = picker.next()) {
            NodeLoop.Command c = l.queue.poll();
            if (!l.queue.isEmpty()) picker.add(l, l.level);
            if (c == null) continue; // queued in the scheduler before the fast path took its last command
            if (l.level != DEFAULT) elsewhere.decrementAndGet();
            lastLevel = l.level;
            return c;
        }
        return null;
    }

    /** Node thread: the level of the command the latest {@link #poll} returned. */
    int lastLevel() {
        return lastLevel;
    }

    /** Node thread: the highest level with a command queued, -1 if none. */
    int topLevel() {
        if (elsewhere.get() == 0) return levels[DEFAULT].queue.isEmpty() ? -1 : DEFAULT;
        for (int l = levels.length - 1; l >= 0; l--) {
            if (!levels[l].queue.isEmpty()) return l;
        }
        return -1;
    }

    /** Whether no command is queued (a command being added may be missed: its adder wakes the loop after). */
    boolean isEmpty() {
        return elsewhere.get() == 0 && levels[DEFAULT].queue.isEmpty();
    }

    /** Any thread, once the loop is over: takes any queued command, whatever its level; null if none. */
    NodeLoop.Command drain() {
        for (int l = levels.length - 1; l >= 0; l--) {
            NodeLoop.Command c = levels[l].queue.poll();
            if (c == null) continue;
            if (l != DEFAULT) elsewhere.decrementAndGet();
            return c;
        }
        return null;
    }
}
