package dev.tether.internal.engine;

/**
 * The lanes frames named lately, so that decoding a lane it knows (every DATA and ACK entry of a busy stream) makes no
 * string and does not validate it again. A direct-mapped table of {@link #SLOTS} valid ASCII lanes, indexed by a hash
 * of their bytes: a lane whose slot another took is decoded as before and takes the slot back. The table never grows,
 * so a peer naming ever new lanes costs nothing but misses.
 *
 * <p>Shared by every engine of the process and read and written without locks: a slot holds a reference to an
 * immutable string or null, and a thread that reads an older value only misses. Nothing depends on which equal string
 * a lookup returns.
 */
final class LaneNames {
    /** A power of two: 10,000 streams of a peer mostly hit, at 64 KiB of references. */
    static final int SLOTS = 1 << 14;

    private static final String[] SLOT = new String[SLOTS];

    private LaneNames() {}

    /** The remembered lane whose ASCII bytes are {@code a[off..off+len)}, or null. */
    static String known(byte[] a, int off, int len) {
        int h = 0;
        for (int i = off, end = off + len; i < end; i++) h = 31 * h + a[i];
        String s = SLOT[slot(h)];
        if (s == null || s.length() != len) return null;
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != a[off + i]) return null; // a byte above 0x7f is negative: never equal to a char
        }
        return s;
    }

    /** Remembers {@code lane}, a valid lane, if it is ASCII; returns it. */
    static String remember(String lane) {
        int h = 0;
        for (int i = 0; i < lane.length(); i++) {
            char c = lane.charAt(i);
            if (c >= 0x80) return lane;
            h = 31 * h + c;
        }
        SLOT[slot(h)] = lane;
        return lane;
    }

    private static int slot(int h) {
        return (h ^ (h >>> 14)) & (SLOTS - 1);
    }
}
