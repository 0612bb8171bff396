package dev.tether.internal.engine;

/**
 * The lanes frames named lately, so that decoding a lane it knows (every DATA and ACK entry of a busy stream) makes no
 * string and does not validate it again. A table of {@link #SLOTS} valid ASCII lanes in sets of {@link #WAYS}, the set
 * chosen by a hash of the lane's bytes: a lane is looked for in its set only, and a lane not found is decoded as before
 * and takes one of its set's slots (the one its hash picks). With sets rather than one slot per hash, 10,000 lanes
 * in 16,384 slots nearly all stay (with one slot per hash, more than a tenth of them are lost: LaneNamesTest). The table never grows, so a peer naming
 * ever new lanes costs nothing but misses.
 *
 * <p>Shared by every engine of the process and read and written without locks: a slot holds a reference to an
 * immutable string or null, and a thread that reads an older value only misses. Nothing depends on which equal string
 * a lookup returns.
 */
final class LaneNames {
    /** A power of two: 10,000 streams of a peer mostly hit, at 64 KiB of references. */
    static final int SLOTS = 1 << 14;
    /** Slots per set. */
    static final int WAYS = 4;
    /** 32 minus the bits of a set number: 4,096 sets. */
    private static final int SET_SHIFT = 32 - Integer.numberOfTrailingZeros(SLOTS / WAYS);

    private static final String[] SLOT = new String[SLOTS];

    private LaneNames() {}

    /** The remembered lane whose ASCII bytes are {@code a[off..off+len)}, or null. */
    static String known(byte[] a, int off, int len) {
        int h = 0;
        for (int i = off, end = off + len; i < end; i++) h = 31 * h + a[i];
        for (int at = set(h), end = at + WAYS; at < end; at++) {
            String s = SLOT[at];
            if (s != null && equal(s, a, off, len)) return s;
        }
        return null;
    }

    private static boolean equal(String s, byte[] a, int off, int len) {
        if (s.length() != len) return false;
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != a[off + i]) return false; // a byte above 0x7f is negative: never equal to a char
        }
        return true;
    }

    /**
     * Remembers {@code lane}, a valid lane, if it is ASCII and not remembered yet; returns the remembered string equal
     * to it (so that a lane remembered twice, by a stream and by a frame, takes one slot).
     */
    static String remember(String lane) {
        int h = 0;
        for (int i = 0; i < lane.length(); i++) {
            char c = lane.charAt(i);
            if (c >= 0x80) return lane;
            h = 31 * h + c;
        }
        int at = set(h);
        for (int i = at; i < at + WAYS; i++) {
            String s = SLOT[i];
            if (s != null && s.equals(lane)) return s;
        }
        for (int i = at; i < at + WAYS; i++) {
            if (SLOT[i] == null) {
                SLOT[i] = lane;
                return lane;
            }
        }
        SLOT[at + (h & (WAYS - 1))] = lane; // a full set: the lane's hash picks whom it replaces
        return lane;
    }

    /**
     * The first slot of the set of hash {@code h}: its top bits after a Fibonacci multiplication, which spreads lanes
     * that differ in a digit or two (their string hashes are close) over the whole table.
     */
    private static int set(int h) {
        return ((h * 0x9E3779B9) >>> SET_SHIFT) * WAYS;
    }
}
