package dev.tether.internal.engine;

/**
 * A fixed table of what frames named lately ({@link LaneNames}' lanes, {@link HeaderMaps}' one-header maps), so that a
 * name decoded again is found rather than made again: entries in sets of {@link #WAYS} slots, the set chosen by a hash
 * of the entry's bytes. An entry is looked for in its set only ({@link #set}, {@link #at}); one not found takes an empty
 * slot of its set or, the set full, the slot a turn counter of the table picks ({@link #put}). With sets rather than one
 * slot per hash, entries that hash to the same set mostly all stay. The table never grows, so names that change with
 * every frame cost nothing but misses.
 *
 * <p>The victim is not the hash's: a name would then always replace the same slot, so names no longer used (the lanes
 * of streams gone, another node's lanes) kept the other three slots of their set forever, and a new steady set of lanes
 * missed ever after as much as it did at first (10,000 lanes after 10,000 others: 29% of decodes on every pass; after
 * 30,000 others 65%: ReceivedLanesTest). With the victim taken in turn, the names still used come back by their misses
 * and the unused ones go within a few passes.
 *
 * <p>Shared by every engine of the process and read and written without locks: a slot holds a reference to an
 * immutable entry or null, and a thread that reads an older value only misses. Nothing may depend on which equal entry
 * a lookup finds.
 *
 * @param <E> the entries, immutable
 */
final class InternTable<E> {
    /** Slots per set. */
    static final int WAYS = 4;

    private final Object[] slots;
    /** 32 minus the bits of a set number. */
    private final int setShift;
    /**
     * Picks the victim of a full set. Threads may lose each other's increments (a plain field): that changes only which
     * slot goes.
     */
    private int turn;

    /** A table of {@code slots} slots, a power of two of at least {@link #WAYS}. */
    InternTable(int slots) {
        if (slots < WAYS || Integer.bitCount(slots) != 1)
            throw new IllegalArgumentException("slots must be a power of two of at least " + WAYS + ": " + slots);
        this.slots = new Object[slots];
        this.setShift = 32 - Integer.numberOfTrailingZeros(slots / WAYS);
    }

    /**
     * The first slot of the set of hash {@code h} (its {@link #WAYS} slots follow): the hash's top bits after a
     * Fibonacci multiplication, which spreads names that differ in a digit or two (their hashes are close) over the
     * whole table.
     */
    int set(int h) {
        return ((h * 0x9E3779B9) >>> setShift) * WAYS;
    }

    /** The entry in {@code slot}, or null. */
    @SuppressWarnings("unchecked") // only put() writes the slots, and only E
    E at(int slot) {
        return (E) slots[slot];
    }

    /** Puts {@code e}, of hash {@code h}, into an empty slot of its set, or else into the one the turn counter picks. */
    void put(int h, E e) {
        int first = set(h);
        for (int i = first; i < first + WAYS; i++) {
            if (slots[i] == null) {
                slots[i] = e;
                return;
            }
        }
        slots[first + (turn++ & (WAYS - 1))] = e;
    }

    /** Whether the ASCII bytes {@code a[off..off+len)} are the chars of {@code s}. */
    static boolean equal(String s, byte[] a, int off, int len) {
        if (s.length() != len) return false;
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != a[off + i]) return false; // a byte above 0x7f is negative: never equal to a char
        }
        return true;
    }
}
