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

    // ---- the arithmetic of the sequence number's part (CRC32C, reflected, as zlib's crc32_combine) ----

    /** CRC32C's polynomial, reflected. */
    private static final int POLY = 0x82F63B78;
    /** The register after one byte {@code b} from 0: CRC32C's byte table. */
    private static final int[] BYTE_TABLE = new int[256];
    /** {@code x^(2^k) mod P}, reflected. */
    private static final int[] X2N = new int[32];
    /**
     * {@code x^(8n) mod P} for {@code n} bytes after the sequence number, made when first needed (0: not yet); racy on
     * purpose: an int is written whole, and every thread computes the same value.
     */
    private static final int[] SHIFTS = new int[8192];

    static {
        for (int b = 0; b < 256; b++) {
            int c = b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
            BYTE_TABLE[b] = c;
        }
        int p = 1 << 30; // x^1
        X2N[0] = p;
        for (int k = 1; k < 32; k++) X2N[k] = p = multiply(p, p);
    }

    /** The bytes before the payload that {@link #SCRATCH} takes: a lane, the numbers and a few short headers. */
    private static final int SCRATCH_BYTES = 512;

    /**
     * Per thread, the array the bytes before the payload are written into when they fit: no array per message on the
     * sending threads and the node thread (a message's checksum is computed on each; nothing is called while it is in
     * use, so it is never used twice at once).
     */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);

    private MessageChecksum() {}

    /**
     * The header an endpoint's message carries alone, its sender's name (the engine's {@code SoleHeader.FROM}): the
     * only header of most messages on a bus, found by key rather than by a walk of the map ({@code Map.of(k, v)} has
     * no accessor for its entry).
     */
    private static final String ENDPOINT_SENDER = ":f";

    /** The checksum of message {@code seq} on {@code lane} with this content, in {@code [0, 2^32)}. */
    public static long of(String lane, long seq, long expiresAtMillis, Map<String, String> headers, byte[] payload) {
        return compute(lane, seq, expiresAtMillis, headers, payload, false);
    }

    /**
     * The checksum of a message whose sequence number is not known yet, for {@link #withSeq} to finish once it is: the
     * checksum {@link #of} gives for sequence number 0, with (in the high 32 bits) the factor that carries the sequence
     * number's bytes past everything after them. Never 0. CRC32C is affine in the bytes it covers, so the checksum of
     * the same message with sequence number {@code seq} differs from it only by the CRC of {@code seq}'s 8 bytes
     * carried past the {@code n} bytes after them, {@code x^(8n) mod P} (zlib's {@code crc32_combine} arithmetic). A
     * sender's thread computes this, and the thread that numbers the message adds {@code seq} without reading the
     * message's bytes again.
     */
    public static long withoutSeq(String lane, long expiresAtMillis, Map<String, String> headers, byte[] payload) {
        return compute(lane, 0, expiresAtMillis, headers, payload, true);
    }

    /** The checksum {@link #of} gives for sequence number {@code seq}, from {@code withoutSeq}'s value for the message. */
    public static long withSeq(long withoutSeq, long seq) {
        int shift = (int) (withoutSeq >>> 32);
        if (shift == 0) throw new IllegalArgumentException("not a value of withoutSeq: " + withoutSeq);
        int c = 0; // the CRC register of seq's 8 bytes (big-endian) from 0: their part alone, before the rest
        for (int i = 56; i >= 0; i -= 8) c = BYTE_TABLE[(c ^ (int) (seq >>> i)) & 0xff] ^ (c >>> 8);
        return (withoutSeq ^ multiply(shift, c)) & 0xffff_ffffL;
    }

    /**
     * The checksum of a message ({@code packShift} false), or {@link #withoutSeq}'s value ({@code seq} 0, the factor of
     * the bytes after the sequence number packed in the high 32 bits).
     */
    private static long compute(
            String lane,
            long seq,
            long expiresAtMillis,
            Map<String, String> headers,
            byte[] payload,
            boolean packShift) {
        // Everything before the payload in one array and one update when the lane and headers are ASCII (valid lanes
        // always are, and Tether's own headers): no array per header, no sorting for a single header.
        if (headers.size() <= 1) {
            // The common case (no header, or one such as an endpoint's :f) walks the map once: an immutable map
            // makes an entry object per walk.
            String name = null;
            String value = null;
            if (!headers.isEmpty()) {
                value = headers.get(ENDPOINT_SENDER);
                if (value != null) {
                    name = ENDPOINT_SENDER; // looked up, not walked: a walk makes three objects, per message
                } else {
                    Map.Entry<String, String> e = headers.entrySet().iterator().next();
                    name = e.getKey();
                    value = e.getValue();
                }
            }
            if (lane.length() <= 255 && isAscii(lane) && (name == null || isShortAscii(name) && isShortAscii(value))) {
                int size = 1 + lane.length() + 8 + 8 + 2 + 4 + (name == null ? 0 : 4 + name.length() + value.length());
                byte[] head = head(size);
                int at = putAscii(head, 0, lane, 1);
                at = putLong(head, at, seq);
                at = putLong(head, at, expiresAtMillis);
                at = putShort(head, at, headers.size());
                if (name != null) at = putAscii(head, putAscii(head, at, name, 2), value, 2);
                return packed(finish(head, at, payload), packShift, size - (1 + lane.length() + 8), payload);
            }
        } else {
            int size = asciiPrefixSize(lane, headers);
            if (size >= 0) {
                byte[] head = head(size);
                int at = putAscii(head, 0, lane, 1);
                at = putLong(head, at, seq);
                at = putLong(head, at, expiresAtMillis);
                at = putShort(head, at, headers.size());
                for (String name : sortedNames(headers)) {
                    at = putAscii(head, putAscii(head, at, name, 2), headers.get(name), 2);
                }
                return packed(finish(head, at, payload), packShift, size - (1 + lane.length() + 8), payload);
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
        int headerBytes = headers.isEmpty() ? 0 : headers(crc, headers);
        at = putInt(head, 0, payload.length);
        crc.update(head, 0, at);
        crc.update(payload, 0, payload.length);
        return packed(crc.getValue(), packShift, 8 + 2 + headerBytes + 4, payload);
    }

    /**
     * {@code crc}, with the factor of the {@code afterSeq} bytes before the payload and the payload's, which follow the
     * sequence number, in the high 32 bits if {@code packShift}.
     */
    private static long packed(long crc, boolean packShift, int afterSeq, byte[] payload) {
        return packShift ? ((long) shift((long) afterSeq + payload.length) << 32) | crc : crc;
    }

    /** {@code a * b mod P}, both reflected (bit 31 is {@code x^0}). */
    private static int multiply(int a, int b) {
        int m = 1 << 31;
        int p = 0;
        while (true) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) return p;
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
    }

    /** {@code x^(8n) mod P}: what carries a CRC register past {@code n} bytes. Never 0. */
    private static int shift(long n) {
        if (n < SHIFTS.length) {
            int s = SHIFTS[(int) n];
            if (s != 0) return s;
        }
        int p = 1 << 31; // x^0
        int k = 3; // x^(8n) = x^(n * 2^3)
        for (long rest = n; rest != 0; rest >>>= 1, k++) {
            if ((rest & 1) != 0) p = multiply(X2N[k & 31], p);
        }
        if (n < SHIFTS.length) SHIFTS[(int) n] = p;
        return p;
    }

    /** The checksum of {@code head}'s first {@code at} bytes (all but the payload's length), then the payload. */
    private static long finish(byte[] head, int at, byte[] payload) {
        at = putInt(head, at, payload.length);
        CRC32C crc = new CRC32C();
        crc.update(head, 0, at);
        crc.update(payload, 0, payload.length);
        return crc.getValue();
    }

    /** An array of at least {@code size} bytes to write the bytes before the payload into: this thread's if it fits. */
    private static byte[] head(int size) {
        return size <= SCRATCH_BYTES ? SCRATCH.get() : new byte[size];
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

    /** Adds the headers in name order; returns how many bytes that took. */
    private static int headers(CRC32C crc, Map<String, String> headers) {
        String[] names = sortedNames(headers);
        byte[] length = new byte[2];
        int n = 0;
        for (String name : names) {
            n += string(crc, length, name);
            n += string(crc, length, headers.get(name));
        }
        return n;
    }

    private static int string(CRC32C crc, byte[] length, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        putShort(length, 0, bytes.length);
        crc.update(length, 0, 2);
        crc.update(bytes, 0, bytes.length);
        return 2 + bytes.length;
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
