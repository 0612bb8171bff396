package dev.tether.transport.nats.internal;

import dev.tether.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The envelope around everything this transport publishes: a fixed header naming the sender and two 64-bit
 * session values, then (for frames only) the frame itself. All integers are big-endian.
 *
 * <pre>
 *  offset  size     field
 *  0       2        magic "TN" (0x54 0x4E)
 *  2       1        version, 1
 *  3       1        kind: 1 FRAME, 2 ANNOUNCE, 3 HELLO, 4 GOODBYE
 *  4       1        n = length of the sender's node id, 1..64
 *  5       n        sender's node id, ASCII [A-Za-z0-9._-]
 *  5+n     8        the sender's connection session (never 0)
 *  13+n    8        FRAME, HELLO: the sender's link id for this receiver (never 0); ANNOUNCE, GOODBYE: 0
 *  21+n    8        FRAME: the receiver's link id (never 0); HELLO: the receiver's link id as far as the sender
 *                   knows it, or 0; ANNOUNCE, GOODBYE: 0
 *  29+n    rest     FRAME: the frame; other kinds: nothing
 * </pre>
 *
 * <p>{@link #decode} validates every field and never allocates in proportion to the input beyond the frame
 * view it returns (which shares the input array). Stateless and thread-safe.
 */
public final class Envelope {
    /** The largest header: the fixed fields and a 64-character node id. */
    public static final int MAX_HEADER_BYTES = 5 + NodeId.MAX_LENGTH + 24;

    static final byte MAGIC_0 = 'T';
    static final byte MAGIC_1 = 'N';
    static final byte VERSION = 1;

    /** What a message is. */
    public enum Kind {
        FRAME(1),
        ANNOUNCE(2),
        HELLO(3),
        GOODBYE(4);

        final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        static Kind of(byte code) {
            for (Kind k : values()) if (k.code == code) return k;
            return null;
        }
    }

    /**
     * A decoded envelope. {@code frame} is a view of the frame bytes (FRAME only, otherwise null) over the decoded
     * array, positioned at the frame's first byte.
     */
    public record Decoded(Kind kind, NodeId from, long connection, long fromLink, long toLink, ByteBuffer frame) {}

    /** Thrown by {@link #decode} for a message that is not a valid envelope; the message says why. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String reason) {
            super(reason, null, false, false);
        }
    }

    private Envelope() {}

    /** The header bytes for a sender with id {@code from}. */
    public static int headerBytes(NodeId from) {
        return 5 + from.value().length() + 24;
    }

    /** Encodes a FRAME carrying {@code frame}'s remaining bytes; {@code frame}'s position is not changed. */
    public static byte[] frame(NodeId from, long connection, long fromLink, long toLink, ByteBuffer frame) {
        int size = frame.remaining();
        byte[] out = new byte[headerBytes(from) + size];
        int at = header(out, Kind.FRAME, from, connection, fromLink, toLink);
        frame.get(frame.position(), out, at, size);
        return out;
    }

    /** Encodes a control message (ANNOUNCE, HELLO or GOODBYE). */
    public static byte[] control(Kind kind, NodeId from, long connection, long fromLink, long toLink) {
        if (kind == Kind.FRAME) throw new IllegalArgumentException("use frame() for frames");
        byte[] out = new byte[headerBytes(from)];
        header(out, kind, from, connection, fromLink, toLink);
        return out;
    }

    private static int header(byte[] out, Kind kind, NodeId from, long connection, long fromLink, long toLink) {
        String id = from.value();
        out[0] = MAGIC_0;
        out[1] = MAGIC_1;
        out[2] = VERSION;
        out[3] = kind.code;
        out[4] = (byte) id.length();
        for (int i = 0; i < id.length(); i++) out[5 + i] = (byte) id.charAt(i);
        int at = 5 + id.length();
        putLong(out, at, connection);
        putLong(out, at + 8, fromLink);
        putLong(out, at + 16, toLink);
        return at + 24;
    }

    /**
     * Decodes {@code data[0..length)}.
     *
     * @param maxFrameBytes the largest frame accepted; a longer FRAME is rejected before any frame view is made
     * @throws MalformedException naming the first invalid field
     */
    public static Decoded decode(byte[] data, int length, int maxFrameBytes) throws MalformedException {
        if (data == null || length < 5) throw new MalformedException("message of " + length + " bytes is too short");
        if (data[0] != MAGIC_0 || data[1] != MAGIC_1) throw new MalformedException("bad magic");
        if (data[2] != VERSION) throw new MalformedException("unsupported envelope version " + (data[2] & 0xff));
        Kind kind = Kind.of(data[3]);
        if (kind == null) throw new MalformedException("unknown kind " + (data[3] & 0xff));
        int idLength = data[4] & 0xff;
        if (idLength < 1 || idLength > NodeId.MAX_LENGTH) {
            throw new MalformedException("node id length " + idLength + " out of range 1.." + NodeId.MAX_LENGTH);
        }
        int headerEnd = 5 + idLength + 24;
        if (length < headerEnd) throw new MalformedException("message of " + length + " bytes ends inside the header");
        for (int i = 5; i < 5 + idLength; i++) {
            if (!isIdChar(data[i])) throw new MalformedException("invalid character in node id");
        }
        NodeId from = NodeId.of(new String(data, 5, idLength, StandardCharsets.US_ASCII));
        long connection = getLong(data, 5 + idLength);
        long fromLink = getLong(data, 13 + idLength);
        long toLink = getLong(data, 21 + idLength);
        checkSessions(kind, connection, fromLink, toLink);
        int rest = length - headerEnd;
        if (kind != Kind.FRAME) {
            if (rest != 0) throw new MalformedException(kind + " carries " + rest + " unexpected bytes");
            return new Decoded(kind, from, connection, fromLink, toLink, null);
        }
        if (rest > maxFrameBytes) {
            throw new MalformedException("frame of " + rest + " bytes exceeds maxFrameBytes " + maxFrameBytes);
        }
        return new Decoded(
                kind,
                from,
                connection,
                fromLink,
                toLink,
                ByteBuffer.wrap(data, headerEnd, rest).slice());
    }

    private static void checkSessions(Kind kind, long connection, long fromLink, long toLink)
            throws MalformedException {
        if (connection == 0) throw new MalformedException(kind + " without a connection session");
        boolean linksOk = switch (kind) {
            case FRAME -> fromLink != 0 && toLink != 0;
            case HELLO -> fromLink != 0;
            case ANNOUNCE, GOODBYE -> fromLink == 0 && toLink == 0;
        };
        if (!linksOk) throw new MalformedException(kind + " with invalid link ids");
    }

    private static boolean isIdChar(byte c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '-';
    }

    private static void putLong(byte[] out, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            out[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] in, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (in[at + i] & 0xff);
        return v;
    }
}
