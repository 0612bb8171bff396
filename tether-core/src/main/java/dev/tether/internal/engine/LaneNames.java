package dev.tether.internal.engine;

/**
 * The lanes frames named lately, so that decoding a lane it knows (every DATA and ACK entry of a busy stream) makes no
 * string and does not validate it again: an {@link InternTable} of {@link #SLOTS} valid ASCII lanes, the hash a
 * lane's bytes'. With sets rather than one slot per hash, 10,000 lanes in 16,384 slots nearly all stay (with one slot
 * per hash, more than a tenth of them are lost: LaneNamesTest). A peer naming ever new lanes costs nothing but misses.
 * Nothing depends on which equal string a lookup returns.
 */
final class LaneNames {
    /** A power of two: 10,000 streams of a peer mostly hit, at 64 KiB of references. */
    static final int SLOTS = 1 << 14;

    private static final InternTable<String> TABLE = new InternTable<>(SLOTS);

    /**
     * Lanes decoded from bytes the table did not know ({@link #rememberDecoded}): what a test reads. A plain field, counted
     * on misses only (a hit costs nothing); threads may lose each other's increments.
     */
    private static long decodedUnknown;

    private LaneNames() {}

    /** Lanes decoded from bytes {@link #known} did not find, so far. */
    static long decodedUnknown() {
        return decodedUnknown;
    }

    /** {@link #remember}s {@code lane}, valid and just made from frame bytes {@link #known} did not find, and counts it. */
    static String rememberDecoded(String lane) {
        decodedUnknown++;
        return remember(lane);
    }

    /** The remembered lane whose ASCII bytes are {@code a[off..off+len)}, or null. */
    static String known(byte[] a, int off, int len) {
        int h = 0;
        for (int i = off, end = off + len; i < end; i++) h = 31 * h + a[i];
        for (int at = TABLE.set(h), end = at + InternTable.WAYS; at < end; at++) {
            String s = TABLE.at(at);
            if (s != null && InternTable.equal(s, a, off, len)) return s;
        }
        return null;
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
        for (int at = TABLE.set(h), end = at + InternTable.WAYS; at < end; at++) {
            String s = TABLE.at(at);
            if (s != null && s.equals(lane)) return s;
        }
        TABLE.put(h, lane);
        return lane;
    }
}
