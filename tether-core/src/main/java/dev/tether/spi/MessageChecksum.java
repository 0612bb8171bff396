package dev.tether.spi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The end-to-end checksum of a message: CRC32C (Castagnoli, {@link CRC32C}) over its lane, sequence number, expiry,
 * headers and payload, computed once when the message is numbered for its first commit, stored with it ({@link
 * StoredMessage#checksum()}), carried in every DATA frame and verified by the receiver before delivery
 * (docs/PROTOCOL.md, "Message checksum"). The bytes covered, in this order (integers big-endian): the lane as a
 * 1-byte UTF-8 length and its bytes; {@code seq} as 8 bytes; {@code expiresAt} as 8 bytes; the header count as 2
 * bytes; for each header in
 * ascending name order ({@link String#compareTo}), name and value each as a 2-byte UTF-8 length and the UTF-8
 * bytes; the payload length as 4 bytes; the payload. The order of the headers in a map does not matter, so a
 * store may keep them in any order. Stateless and thread-safe.
 */
public final class MessageChecksum {
    /** No checksum is known: a message stored before checksums existed. It can be carried, not verified. */
    public static final long UNCHECKED = -1;

    private MessageChecksum() {}

    /** The checksum of message {@code seq} on {@code lane} with this content, in {@code [0, 2^32)}. */
    public static long of(String lane, long seq, long expiresAtMillis, Map<String, String> headers, byte[] payload) {
        // Everything before the payload in one array and one update when the lane and headers are ASCII (valid lanes
        // always are, and Tether's own headers): no array per header, no sorting for a single header.
        if (headers.size() <= 1) {
            // The common case (no header, or one such as an endpoint's :f) walks the map once: an immutable map
            // makes an entry object per walk.
            String name = null;
            String value = null;
            if (!headers.isEmpty()) {
                Map.Entry<String, String> e = headers.entrySet().iterator().next();
                name = e.getKey();
                value = e.getValue();
            }
            if (lane.length() <= 255 && isAscii(lane) && (name == null || isShortAscii(name) && isShortAscii(value))) {
                int size = 1 + lane.length() + 8 + 8 + 2 + 4 + (name == null ? 0 : 4 + name.length() + value.length());
                byte[] head = new byte[size];
                int at = putAscii(head, 0, lane, 1);
                at = putLong(head, at, seq);
                at = putLong(head, at, expiresAtMillis);
                at = putShort(head, at, headers.size());
                if (name != null) at = putAscii(head, putAscii(head, at, name, 2), value, 2);
                return finish(head, at, payload);
            }
        } else {
            int size = asciiPrefixSize(lane, headers);
            if (size >= 0) {
                byte[] head = new byte[size];
                int at = putAscii(head, 0, lane, 1);
                at = putLong(head, at, seq);
                at = putLong(head, at, expiresAtMillis);
                at = putShort(head, at, headers.size());
                for (String name : sortedNames(headers)) {
                    at = putAscii(head, putAscii(head, at, name, 2), headers.get(name), 2);
                }
                return finish(head, at, payload);
            }
        }
        CRC32C crc = new CRC32C();
        byte[] laneBytes = lane.getBytes(StandardCharsets.UTF_8);
        byte[] head = new byte[8 + 8 + 2 + 4];
        crc.update(laneBytes.length);
        crc.update(laneBytes, 0, laneBytes.length);
        int at = putLong(head, 0, seq);
        at = putLong(head, at, expiresAtMillis);
        at = putShort(head, at, headers.size());
        crc.update(head, 0, at);
        if (!headers.isEmpty()) headers(crc, headers);
        at = putInt(head, 0, payload.length);
        crc.update(head, 0, at);
        crc.update(payload, 0, payload.length);
        return crc.getValue();
    }

    /** The checksum of {@code head}'s first {@code at} bytes (all but the payload's length), then the payload. */
    private static long finish(byte[] head, int at, byte[] payload) {
        at = putInt(head, at, payload.length);
        CRC32C crc = new CRC32C();
        crc.update(head, 0, at);
        crc.update(payload, 0, payload.length);
        return crc.getValue();
    }

    private static boolean isShortAscii(String s) {
        return s.length() <= 0xffff && isAscii(s);
    }

    /**
     * The bytes before the payload when {@code lane} (under 256 characters) and every header name and value (under
     * 65,536) are ASCII, so that a character is a byte; else -1.
     */
    private static int asciiPrefixSize(String lane, Map<String, String> headers) {
        if (lane.length() > 255 || !isAscii(lane)) return -1;
        int size = 1 + lane.length() + 8 + 8 + 2 + 4;
        for (Map.Entry<String, String> e : headers.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k.length() > 0xffff || v.length() > 0xffff || !isAscii(k) || !isAscii(v)) return -1;
            size += 4 + k.length() + v.length();
        }
        return size;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) return false;
        }
        return true;
    }

    /**
     * Writes ASCII {@code s} at {@code at} after its length in {@code lengthBytes} (1 or 2) bytes. The deprecated
     * {@link String#getBytes(int, int, byte[], int)} keeps each character's low byte, which for ASCII is its UTF-8
     * byte, and copies a compact string's bytes in one go instead of a character at a time.
     */
    @SuppressWarnings("deprecation")
    private static int putAscii(byte[] b, int at, String s, int lengthBytes) {
        int n = s.length();
        if (lengthBytes == 2) b[at++] = (byte) (n >>> 8);
        b[at++] = (byte) n;
        s.getBytes(0, n, b, at);
        return at + n;
    }

    private static String[] sortedNames(Map<String, String> headers) {
        String[] names = headers.keySet().toArray(new String[0]);
        Arrays.sort(names);
        return names;
    }

    /** Whether {@code checksum} is a value {@link #of} can return, or {@link #UNCHECKED}. */
    public static boolean isValid(long checksum) {
        return checksum == UNCHECKED || (checksum >= 0 && checksum <= 0xffff_ffffL);
    }

    private static void headers(CRC32C crc, Map<String, String> headers) {
        String[] names = sortedNames(headers);
        byte[] length = new byte[2];
        for (String name : names) {
            string(crc, length, name);
            string(crc, length, headers.get(name));
        }
    }

    private static void string(CRC32C crc, byte[] length, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        putShort(length, 0, bytes.length);
        crc.update(length, 0, 2);
        crc.update(bytes, 0, bytes.length);
    }

    private static int putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
        return at + 8;
    }

    private static int putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
        return at + 4;
    }

    private static int putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
        return at + 2;
    }
}
