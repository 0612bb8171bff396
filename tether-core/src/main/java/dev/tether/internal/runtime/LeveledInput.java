package dev.tether.internal.runtime;

import dev.tether.Priority;
import dev.tether.internal.util.WeightedLevels;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node loop's input, by priority (docs/PROTOCOL.md, "Priority"): one lock-free FIFO queue per level 0-7
 * ({@link CommandQueue}: many producers, the node thread its consumer), taken
 * in the order of a {@link WeightedLevels} over the levels with commands (level {@code l} weighing {@code 2^l}, so a
 * level-7 command passes the queued level-0 ones and level 0 still gets one pick in 129 under a level-7 flood). FIFO
 * within a level. While only the default level has commands (every node that does not use priority), {@link #add}
 * is one {@link CommandQueue} add and a poll one volatile read more than a plain queue's.
 *
 * <p><b>Fences.</b> Commands posted at the default level by code that does not order them by level (everything but
 * {@link SendInput} and {@link FrameInput}) must not be overtaken by later commands of theirs at other levels. A
 * {@linkplain #fenced fenced} command holds back every later leveled post ({@link #levelFor}) at the default level,
 * FIFO behind it, until it has run: the posters put one behind commands the ordering has to wait for (a peer's
 * connection coming up, a HELLO, the commands posted before the poster started to order by level).
 *
 * <p>Threading: {@link #add}, {@link #fenced} and {@link #levelFor} from any thread, without locks; everything else
 * on the node thread only (or after the loop is over, {@link #drain}).
 */
final class LeveledInput {
    private static final int DEFAULT = Priority.DEFAULT;

    /** One level's queue, a member of the scheduler. */
    private static final class Level {
        final int level;
        final CommandQueue queue = new CommandQueue();
        final WeightedLevels.Slot slot = new WeightedLevels.Slot();

        Level(int level) {
            this.level = level;
        }
    }

    private final Level[] levels = new Level[WeightedLevels.LEVELS];
    /** The default level's queue: all there is while nothing else is used. */
    private final CommandQueue plain;
    /** Commands added at levels other than the default and not taken yet (counted before they are queued). */
    private final AtomicInteger elsewhere = new AtomicInteger();
    /** Fenced commands posted and not run yet: while any is, leveled posts wait at the default level. */
    private final AtomicInteger fences = new AtomicInteger();

    private final WeightedLevels<Level> picker = new WeightedLevels<>(l -> l.slot);
    private int lastLevel = DEFAULT;

    LeveledInput() {
        for (int l = 0; l < levels.length; l++) levels[l] = new Level(l);
        plain = levels[DEFAULT].queue;
    }

    /** Any thread: queues {@code c} at the default level. */
    void add(NodeLoop.Command c) {
        plain.add(c);
    }

    /** Any thread: queues {@code c} at {@code level}, behind the commands of that level. */
    void add(NodeLoop.Command c, int level) {
        if (level != DEFAULT) elsewhere.incrementAndGet();
        levels[level].queue.add(c);
    }

    /**
     * Any thread: the level a command ordered by level ({@code wanted}) is to be posted at now: the default while a
     * fenced command waits, else {@code wanted}.
     */
    int levelFor(int wanted) {
        return wanted == DEFAULT || fences.get() == 0 ? wanted : DEFAULT;
    }

    /**
     * Any thread: {@code c} (null: nothing) as a fence to post at the default level; counted from now on, so that
     * posts after this call wait at the default level until it has run or been refused.
     */
    NodeLoop.Command fenced(NodeLoop.Command c) {
        fences.incrementAndGet();
        return new Fence(c);
    }

    /** A fenced command: lifts its fence after it ran (or was refused). */
    private final class Fence implements NodeLoop.Command {
        private final NodeLoop.Command command;

        Fence(NodeLoop.Command command) {
            this.command = command;
        }

        @Override
        public void run(long now) {
            try {
                if (command != null) command.run(now);
            } finally {
                fences.decrementAndGet();
            }
        }

        @Override
        public void refuse() {
            try {
                if (command != null) command.refuse();
            } finally {
                fences.decrementAndGet();
            }
        }
    }

    /** Node thread: the next command by level, taken out; null if none is queued. */
    NodeLoop.Command poll() {
        if (elsewhere.get() == 0) {
            // Written only when it changes: posters read this object's fields per post (add), and a write per poll
            // would take their cache line from them each time.
            if (lastLevel != DEFAULT) lastLevel = DEFAULT;
            return plain.poll();
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
        if (elsewhere.get() == 0) return plain.isEmpty() ? -1 : DEFAULT;
        for (int l = levels.length - 1; l >= 0; l--) {
            if (!levels[l].queue.isEmpty()) return l;
        }
        return -1;
    }

    /** Whether no command is queued (a command being added may be missed: its adder wakes the loop after). */
    boolean isEmpty() {
        return elsewhere.get() == 0 && plain.isEmpty();
    }

    /** Any thread, once the loop is over: takes any queued command, whatever its level; null if none. */
    NodeLoop.Command drain() {
        for (int l = levels.length - 1; l >= 0; l--) {
            NodeLoop.Command c = levels[l].queue.drain();
            if (c == null) continue;
            if (l != DEFAULT) elsewhere.decrementAndGet();
            return c;
        }
        return null;
    }
}
