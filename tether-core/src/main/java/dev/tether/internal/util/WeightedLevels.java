package dev.tether.internal.util;

import java.util.function.Function;

/**
 * The one scheduler for every queue where streams compete (docs/BUS-DESIGN.md section 3, E8): eight round-robin
 * rings of members, one per priority level 0-7, and a weighted round robin over the levels that have work, level
 * {@code l} weighing {@code 2^l}. Not strict: a level with work is picked at a bounded distance whatever the others
 * do.
 *
 * <p>The level is chosen by virtual time (stride scheduling, a smooth weighted round robin): each level has a pass,
 * the level with work and the smallest pass is picked (the higher level on a tie) and its pass grows by {@code
 * 128 / 2^l}. A level that gets work again starts no earlier than the pass of the latest pick, so it neither saves
 * up turns while idle nor sheds the turns it used by leaving and coming back. Bounds (tested by {@code
 * WeightedLevelsTest}, stated in docs/PROTOCOL.md "Priority"):
 *
 * <ul>
 *   <li>while the set of levels with work is unchanged, each block of {@code W = Σ 2^active} picks from equal passes
 *       gives level {@code p} exactly {@code 2^p} of them, so its share is {@code 2^p / W};
 *   <li>between two picks of level {@code p} (or between its getting work and its first pick) come at most {@code
 *       Σ_{q≠p} (⌊2^q / 2^p⌋ + 1)} picks of other levels: 261 for level 0 under all seven others, 7 for level 7;
 *   <li>a member waits at most (members queued ahead of it at its level) picks of its level: the ring is FIFO.
 * </ul>
 *
 * <p>The caller takes a member with {@link #next}, serves one quantum of it and, if it still has work, {@link #add}s
 * it again, at the tail of the ring of its level then (which may have changed). A member whose level rises while it is
 * queued moves to the tail of the higher ring ({@code add} with the higher level); a lower level is ignored until it
 * is next taken. Membership lives in a {@link Slot} the member keeps per scheduler, so adding and taking cost no
 * hashing. Not thread-safe: one owner thread.
 */
public final class WeightedLevels<S> {
    public static final int LEVELS = 8;
    public static final int DEFAULT_LEVEL = 4;

    /**
     * Where a member is queued in one scheduler: kept by the member (or the member itself), touched only by that
     * scheduler.
     */
    public static class Slot {
        private int level = -1;
        private long ticket;

        /** The level the member is queued at, or -1 if it is not queued. */
        public int level() {
            return level;
        }
    }

    /**
     * One level's FIFO of members, each with the ticket it was queued with (an entry is stale once its member's
     * {@link Slot} says otherwise), in two parallel circular arrays: a queued member costs no object of its own, where
     * an entry record made one per {@link #add} (one per stream and batch with thousands of streams).
     */
    private static final class Ring {
        private static final Object[] NO_MEMBERS = {};
        private static final long[] NO_TICKETS = {};

        private Object[] members = NO_MEMBERS;
        private long[] tickets = NO_TICKETS;
        private int head;
        private int size;

        void addLast(Object m, long ticket) {
            if (size == members.length) grow();
            int i = (head + size) & (members.length - 1);
            members[i] = m;
            tickets[i] = ticket;
            size++;
        }

        Object firstMember() {
            return members[head];
        }

        long firstTicket() {
            return tickets[head];
        }

        void removeFirst() {
            members[head] = null;
            head = (head + 1) & (members.length - 1);
            size--;
        }

        void clear() {
            while (size > 0) removeFirst();
            head = 0;
        }

        private void grow() {
            int n = Math.max(16, members.length * 2);
            Object[] m = new Object[n];
            long[] t = new long[n];
            int tail = Math.min(size, members.length - head);
            System.arraycopy(members, head, m, 0, tail);
            System.arraycopy(members, 0, m, tail, size - tail);
            System.arraycopy(tickets, head, t, 0, tail);
            System.arraycopy(tickets, 0, t, tail, size - tail);
            members = m;
            tickets = t;
            head = 0;
        }
    }

    private final Function<S, Slot> slotOf;

    private final Ring[] rings = new Ring[LEVELS];

    private final int[] live = new int[LEVELS];
    private final long[] pass = new long[LEVELS];
    /** The pass of the latest pick: where a level that gets work again starts. */
    private long now;

    private long tickets;
    private int size;
    private int lastLevel = -1;

    /** A scheduler whose members keep their place in it in {@code slotOf.apply(member)}. */
    public WeightedLevels(Function<S, Slot> slotOf) {
        this.slotOf = slotOf;
        for (int l = 0; l < LEVELS; l++) rings[l] = new Ring();
    }

    /** {@code level}'s pass step: {@code 128 / 2^level}, so that picks are in the ratio of the weights. */
    private static int stride(int level) {
        return 128 >> level;
    }

    /**
     * Queues {@code m} at {@code level} at the tail of that ring; if it is queued already at a lower level it moves
     * there, at the same or a higher level it keeps its place. Returns whether it was queued or moved.
     */
    public boolean add(S m, int level) {
        if (level < 0 || level >= LEVELS) throw new IllegalArgumentException("level 0-7: " + level);
        Slot s = slotOf.apply(m);
        if (s.level >= level) return false;
        if (s.level >= 0) leave(s.level);
        else size++;
        s.level = level;
        s.ticket = ++tickets;
        if (live[level]++ == 0) pass[level] = Math.max(pass[level], now);
        rings[level].addLast(m, s.ticket);
        return true;
    }

    /** Takes {@code m} out if it is queued (its ring entry is skipped later). */
    public boolean remove(S m) {
        Slot s = slotOf.apply(m);
        if (s.level < 0) return false;
        leave(s.level);
        s.level = -1;
        size--;
        return true;
    }

    private void leave(int level) {
        if (--live[level] == 0) rings[level].clear(); // only stale entries are left
    }

    /** The next member to serve, taken out (add it again if it has more work); null if none is queued. */
    public S next() {
        int best = -1;
        for (int l = LEVELS - 1; l >= 0; l--) {
            if (live[l] > 0 && (best < 0 || pass[l] < pass[best])) best = l;
        }
        if (best < 0) return null;
        now = pass[best];
        pass[best] += stride(best);
        lastLevel = best;
        Ring ring = rings[best];
        while (true) {
            @SuppressWarnings("unchecked")
            S m = (S) ring.firstMember();
            long ticket = ring.firstTicket();
            ring.removeFirst();
            Slot s = slotOf.apply(m);
            if (s.level != best || s.ticket != ticket) continue; // moved or removed since
            s.level = -1;
            leave(best);
            size--;
            return m;
        }
    }

    /** The level of the latest {@link #next}, -1 before the first. */
    public int lastLevel() {
        return lastLevel;
    }

    /** Members queued. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The highest level with a member queued, -1 if none. */
    public int topLevel() {
        for (int l = LEVELS - 1; l >= 0; l--) {
            if (live[l] > 0) return l;
        }
        return -1;
    }

    /** Members queued at {@code level}. */
    public int queuedAt(int level) {
        return live[level];
    }
}
