package dev.tether.internal.engine;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The one-header maps DATA frames carried lately, so that a received message whose sole header is one seen before (a
 * bus message's sender address {@code :f}, a priority level) shares that header's map instead of holding a map and two
 * strings of its own: every buffered message is copied by each young collection it survives, and a receiver buffers a
 * window of every stream, so the header's five objects per message (the map, two strings and their arrays, 128 bytes)
 * were most of what a buffered message held besides its payload. Like {@link LaneNames}: an {@link InternTable} of
 * {@link #SLOTS} entries, the hash a header's bytes'; a header not found is decoded as before and put in the table.
 * Only ASCII headers of at most {@link #MAX_BYTES} bytes (name and value) are kept, so that the table stays small and
 * a comparison short; the table never grows, so a header that changes with every message (a trace id) costs a miss
 * and one small entry.
 *
 * <p>Nothing depends on which equal map a lookup returns: the maps are unmodifiable ({@link Map#of}), as a decoded
 * one-header map always was.
 */
final class HeaderMaps {
    /** A power of two: a thousand senders' addresses mostly hit, at 16 KiB of references. */
    static final int SLOTS = 1 << 12;
    /** The most bytes of name and value together that a kept header has. */
    static final int MAX_BYTES = 128;

    private static final InternTable<Entry> TABLE = new InternTable<>(SLOTS);

    /** A kept header: its name, its value, and the map every message with it shares. */
    private record Entry(String name, String value, Map<String, String> map) {}

    private HeaderMaps() {}

    /**
     * The kept map of the header at {@code b}'s position (name and value, each a 16-bit length and its bytes), moving
     * {@code b} past it; or null, {@code b} unmoved, if it is not kept (or does not fit the buffer: the decoder reports
     * that).
     */
    static Map<String, String> known(ByteBuffer b) {
        if (!b.hasArray() || b.remaining() < 4) return null;
        byte[] a = b.array();
        int at = b.arrayOffset() + b.position();
        int nameLength = b.getShort(b.position()) & 0xffff;
        if (nameLength + 4 > b.remaining()) return null;
        int valueLength = b.getShort(b.position() + 2 + nameLength) & 0xffff;
        int size = nameLength + valueLength;
        if (size > MAX_BYTES || size + 4 > b.remaining()) return null;
        int name = at + 2;
        int value = name + nameLength + 2;
        int h = hash(a, name, nameLength, a, value, valueLength);
        for (int i = TABLE.set(h), end = i + InternTable.WAYS; i < end; i++) {
            Entry e = TABLE.at(i);
            if (e != null
                    && InternTable.equal(e.name, a, name, nameLength)
                    && InternTable.equal(e.value, a, value, valueLength)) {
                b.position(b.position() + 4 + size);
                return e.map;
            }
        }
        return null;
    }

    /** Keeps the one-header map of {@code name} and {@code value} if both are ASCII and short enough; returns it. */
    static Map<String, String> remember(String name, String value) {
        Map<String, String> map = Map.of(name, value);
        if (name.length() + value.length() > MAX_BYTES || !ascii(name) || !ascii(value)) return map;
        TABLE.put(hash(name, value), new Entry(name, value, map));
        return map;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) return false;
        }
        return true;
    }

    /** The hash of a header's bytes; the name's length goes in too, so that "ab"+"c" and "a"+"bc" differ. */
    private static int hash(byte[] n, int nameOff, int nameLength, byte[] v, int valueOff, int valueLength) {
        int h = 0;
        for (int i = nameOff, end = nameOff + nameLength; i < end; i++) h = 31 * h + n[i];
        h = 31 * h + nameLength;
        for (int i = valueOff, end = valueOff + valueLength; i < end; i++) h = 31 * h + v[i];
        return h;
    }

    /** {@link #hash(byte[], int, int, byte[], int, int)} of an ASCII name and value (a char is its byte). */
    private static int hash(String name, String value) {
        int h = 0;
        for (int i = 0; i < name.length(); i++) h = 31 * h + name.charAt(i);
        h = 31 * h + name.length();
        for (int i = 0; i < value.length(); i++) h = 31 * h + value.charAt(i);
        return h;
    }
}
