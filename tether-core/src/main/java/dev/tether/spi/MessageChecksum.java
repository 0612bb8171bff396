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
        CRC32C crc = new CRC32C();
        // Lane, seq, expiry and header count in one update (lanes are short and, when valid, ASCII).
        byte[] laneBytes = ascii(lane);
        int n = laneBytes == null ? 0 : laneBytes.length;
        byte[] head = new byte[1 + n + 8 + 8 + 2 + 4];
        int at = 0;
        if (laneBytes == null) {
            laneBytes = lane.getBytes(StandardCharsets.UTF_8);
            crc.update(laneBytes.length);
            crc.update(laneBytes, 0, laneBytes.length);
        } else {
            head[at++] = (byte) n;
            System.arraycopy(laneBytes, 0, head, at, n);
            at += n;
        }
        at = putLong(head, at, seq);
        at = putLong(head, at, expiresAtMillis);
        at = putShort(head, at, headers.size());
        if (!headers.isEmpty()) {
            crc.update(head, 0, at);
            at = 0;
            headers(crc, headers);
        }
        at = putInt(head, at, payload.length);
        crc.update(head, 0, at);
        crc.update(payload, 0, payload.length);
        return crc.getValue();
    }

    /** The bytes of {@code s} if it is ASCII (and shorter than 256 characters), else null. */
    private static byte[] ascii(String s) {
        int n = s.length();
        if (n > 255) return null;
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) return null;
            b[i] = (byte) c;
        }
        return b;
    }

    /** Whether {@code checksum} is a value {@link #of} can return, or {@link #UNCHECKED}. */
    public static boolean isValid(long checksum) {
        return checksum == UNCHECKED || (checksum >= 0 && checksum <= 0xffff_ffffL);
    }

    private static void headers(CRC32C crc, Map<String, String> headers) {
        String[] names = headers.keySet().toArray(new String[0]);
        if (names.length > 1) Arrays.sort(names);
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
