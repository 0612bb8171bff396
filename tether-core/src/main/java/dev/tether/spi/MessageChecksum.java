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
        byte[] scratch = new byte[8];
        byte[] laneBytes = lane.getBytes(StandardCharsets.UTF_8);
        crc.update(laneBytes.length);
        crc.update(laneBytes, 0, laneBytes.length);
        putLong(scratch, seq);
        crc.update(scratch, 0, 8);
        putLong(scratch, expiresAtMillis);
        crc.update(scratch, 0, 8);
        putShort(scratch, headers.size());
        crc.update(scratch, 0, 2);
        if (!headers.isEmpty()) headers(crc, scratch, headers);
        putInt(scratch, payload.length);
        crc.update(scratch, 0, 4);
        crc.update(payload, 0, payload.length);
        return crc.getValue();
    }

    /** Whether {@code checksum} is a value {@link #of} can return, or {@link #UNCHECKED}. */
    public static boolean isValid(long checksum) {
        return checksum == UNCHECKED || (checksum >= 0 && checksum <= 0xffff_ffffL);
    }

    private static void headers(CRC32C crc, byte[] scratch, Map<String, String> headers) {
        String[] names = headers.keySet().toArray(new String[0]);
        if (names.length > 1) Arrays.sort(names);
        for (String name : names) {
            string(crc, scratch, name);
            string(crc, scratch, headers.get(name));
        }
    }

    private static void string(CRC32C crc, byte[] scratch, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        putShort(scratch, bytes.length);
        crc.update(scratch, 0, 2);
        crc.update(bytes, 0, bytes.length);
    }

    private static void putLong(byte[] b, long v) {
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
    }

    private static void putInt(byte[] b, int v) {
        b[0] = (byte) (v >>> 24);
        b[1] = (byte) (v >>> 16);
        b[2] = (byte) (v >>> 8);
        b[3] = (byte) v;
    }

    private static void putShort(byte[] b, int v) {
        b[0] = (byte) (v >>> 8);
        b[1] = (byte) v;
    }
}
