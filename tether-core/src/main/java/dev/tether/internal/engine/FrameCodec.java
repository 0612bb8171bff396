package dev.tether.internal.engine;

import dev.tether.InvalidIdException;
import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.ProtocolException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes frames. Every frame starts with magic {@code 0x54}, version {@code 4} and a type byte;
 * all integers are big-endian. Decoding validates every field and rejects trailing bytes, so a frame either
 * decodes completely or throws {@link ProtocolException} naming the problem.
 */
public final class FrameCodec {
    public static final byte MAGIC = 0x54;
    /**
     * Version 4 made ACK carry the entries of several streams; version 3 added the codecs to HELLO, the DROPPED message
     * flag and OUTCOMEs 5 and 6; version 2 the message checksum. See docs/PROTOCOL.md, "Versions".
     */
    public static final byte VERSION = 4;
    /** Most entries one ACK frame carries (its count is a {@code u16}). */
    public static final int MAX_ACK_ENTRIES = 0xffff;
    /** Bytes of an ACK frame before its entries: the header and the entry count. */
    public static final int ACK_HEADER = 3 + 2;
    /** Bytes of the smallest ACK entry (a one-byte lane): a count is bounded by these before anything is allocated. */
    private static final int MIN_ACK_ENTRY = 1 + 1 + 4 * 8;
    /**
     * Per-message bytes in a DATA frame besides headers and payload: flags, expiry, header count, length,
     * checksum.
     */
    public static final int MESSAGE_OVERHEAD = 1 + 8 + 2 + 4 + 4;

    /** Every message flag this version defines; a message with another one is rejected. */
    private static final int KNOWN_FLAGS = Frame.Message.REDELIVERY
            | Frame.Message.EXPIRED
            | Frame.Message.CORRUPT
            | Frame.Message.CANCELLED
            | Frame.Message.DROPPED;

    /** CRC32C of each possible flags byte, mixed into each message's checksum on the wire. */
    private static final long[] FLAG_CHECKSUMS = new long[256];

    static {
        for (int f = 0; f < FLAG_CHECKSUMS.length; f++) {
            CRC32C crc = new CRC32C();
            crc.update(f);
            FLAG_CHECKSUMS[f] = crc.getValue();
        }
    }

    /** What version 3 added, named in the reason a version 2 frame is refused with. */
    private static final String V3 = "compression codecs in HELLO, DROPPED markers and OUTCOMEs 5 and 6 (version 3)";
    /** What version 4 changed, named in the reason a version 3 frame is refused with. */
    private static final String V4 = "ACK frames covering several streams (version 4)";

    private FrameCodec() {}

    // ---- encoding -------------------------------------------------------------------------------------

    /** {@code codecs}: the {@link Frame.Hello#codecs} bit set, what this process can decompress. */
    public static void hello(ByteBuffer b, NodeId node, long epoch, long bootId, int codecs) {
        header(b, Frame.HELLO);
        str8(b, node.value());
        b.putLong(epoch);
        b.putLong(bootId);
        b.put((byte) codecs);
    }

    public static void open(ByteBuffer b, String lane, long epoch, long ackedSeq, long lastSeq) {
        header(b, Frame.OPEN);
        str8(b, lane);
        b.putLong(epoch).putLong(ackedSeq).putLong(lastSeq);
    }

    /** An ACK frame with one entry. */
    public static void ack(ByteBuffer b, String lane, long epoch, long received, long processed, long credit) {
        int countAt = beginAcks(b);
        ackEntry(b, lane, epoch, received, processed, credit);
        endAcks(b, countAt, 1);
    }

    /** Starts an ACK frame; returns the position of the entry count to patch with {@link #endAcks}. */
    public static int beginAcks(ByteBuffer b) {
        header(b, Frame.ACK);
        int countAt = b.position();
        b.putShort((short) 0);
        return countAt;
    }

    /** One stream's entry of the ACK frame being written: {@link #ackEntrySize} bytes. */
    public static void ackEntry(ByteBuffer b, String lane, long epoch, long received, long processed, long credit) {
        str8(b, lane);
        b.putLong(epoch).putLong(received).putLong(processed).putLong(credit);
    }

    /** Bytes {@link #ackEntry} writes for {@code lane}. */
    public static int ackEntrySize(String lane) {
        return 1 + utf8Length(lane) + 4 * 8;
    }

    /** Ends an ACK frame of {@code count} (1 to {@link #MAX_ACK_ENTRIES}) entries. */
    public static void endAcks(ByteBuffer b, int countAt, int count) {
        b.putShort(countAt, (short) count);
    }

    public static void resend(ByteBuffer b, String lane, long epoch, long fromSeq) {
        header(b, Frame.RESEND);
        str8(b, lane);
        b.putLong(epoch).putLong(fromSeq);
    }

    public static void outcome(ByteBuffer b, String lane, long epoch, long seq, int outcome) {
        header(b, Frame.OUTCOME);
        str8(b, lane);
        b.putLong(epoch).putLong(seq).put((byte) outcome);
    }

    public static void cancel(ByteBuffer b, String lane, long epoch, long seq) {
        header(b, Frame.CANCEL);
        str8(b, lane);
        b.putLong(epoch).putLong(seq);
    }

    public static void ping(ByteBuffer b, long sentAt) {
        header(b, Frame.PING);
        b.putLong(sentAt);
    }

    public static void pong(ByteBuffer b, long sentAt) {
        header(b, Frame.PONG);
        b.putLong(sentAt);
    }

    /** Starts a DATA frame; returns the position of the message count to patch with {@link #endData}. */
    public static int beginData(ByteBuffer b, String lane, long epoch, long firstSeq) {
        header(b, Frame.DATA);
        str8(b, lane);
        b.putLong(epoch).putLong(firstSeq);
        int countAt = b.position();
        b.putInt(0);
        return countAt;
    }

    public static void endData(ByteBuffer b, int countAt, int count) {
        b.putInt(countAt, count);
    }

    /** Bytes {@link #message} will write. */
    public static int messageSize(Map<String, String> headers, int payloadLength) {
        return MESSAGE_OVERHEAD + headersSize(headers) + payloadLength;
    }

    public static int headersSize(Map<String, String> headers) {
        int n = 0;
        for (Map.Entry<String, String> e : headers.entrySet()) {
            n += 4 + utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        return n;
    }

    /**
     * Writes one message of a DATA frame. The frame carries {@code checksum} (the message's {@link
     * dev.tether.spi.MessageChecksum}) XOR the CRC32C of the flags byte, so that a changed flag is detected like a
     * changed payload, although the flags differ between transmissions of the same stored message.
     */
    public static void message(
            ByteBuffer b, int flags, long expiresAt, Map<String, String> headers, byte[] payload, long checksum) {
        b.put((byte) flags).putLong(expiresAt);
        b.putShort(u16(headers.size(), "header count"));
        for (Map.Entry<String, String> e : headers.entrySet()) {
            str16(b, e.getKey());
            str16(b, e.getValue());
        }
        b.putInt(payload.length).put(payload);
        b.putInt((int) (checksum ^ FLAG_CHECKSUMS[flags & 0xff]));
    }

    private static void header(ByteBuffer b, byte type) {
        b.put(MAGIC).put(VERSION).put(type);
    }

    /** An ASCII string (a lane, nearly always) goes in char by char: no byte array per frame. */
    private static void str8(ByteBuffer b, String s) {
        int n = s.length();
        if (n <= 0xff && ascii(s)) {
            b.put((byte) n);
            for (int i = 0; i < n; i++) b.put((byte) s.charAt(i));
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.put((byte) bytes.length).put(bytes);
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) return false;
        }
        return true;
    }

    private static void str16(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putShort(u16(bytes.length, "header of " + bytes.length + " bytes")).put(bytes);
    }

    /**
     * {@code n} as the u16 the frame holds it in; refused if it does not fit, rather than written truncated (the
     * receiver would refuse the frame, and every retransmission of it). Callers check first ({@link #encodable}).
     */
    private static short u16(int n, String what) {
        if (n > 0xffff) throw new IllegalArgumentException(what + ": more than 65535, which a frame cannot carry");
        return (short) n;
    }

    /** Whether {@code headers} fit a frame's u16 header count and lengths (at most 65,535 UTF-8 bytes each). */
    public static boolean encodable(Map<String, String> headers) {
        if (headers.size() > 0xffff) return false;
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (utf8Length(e.getKey()) > 0xffff || utf8Length(e.getValue()) > 0xffff) return false;
        }
        return true;
    }

    /** UTF-8 length of {@code s} without allocating. */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    // ---- decoding -------------------------------------------------------------------------------------

    /** Decodes one frame occupying {@code b} from its position to its limit. */
    public static Frame decode(ByteBuffer b) {
        try {
            if (b.remaining() < 3) throw bad("frame of " + b.remaining() + " bytes is shorter than its header");
            byte magic = b.get();
            if (magic != MAGIC) throw bad(String.format("bad magic 0x%02x", magic & 0xff));
            byte version = b.get();
            if (version != VERSION) throw bad(unsupported(version & 0xff));
            byte type = b.get();
            Frame f = switch (type) {
                case Frame.HELLO -> new Frame.Hello(nodeId(b), epoch(b), epoch(b), b.get() & 0xff);
                case Frame.OPEN -> new Frame.Open(lane(b), epoch(b), seq0(b, "ackedSeq"), seq0(b, "lastSeq"));
                case Frame.DATA -> data(b);
                case Frame.ACK -> acks(b);
                case Frame.RESEND -> new Frame.Resend(lane(b), epoch(b), seq1(b, "fromSeq"));
                case Frame.OUTCOME -> new Frame.OutcomeNotice(lane(b), epoch(b), seq1(b, "seq"), outcomeKind(b));
                case Frame.CANCEL -> new Frame.Cancel(lane(b), epoch(b), seq1(b, "seq"));
                case Frame.PING -> new Frame.Ping(seq0(b, "PING timestamp"));
                case Frame.PONG -> new Frame.Pong(seq0(b, "PONG timestamp"));
                default -> throw bad("unknown frame type " + (type & 0xff));
            };
            if (b.hasRemaining()) throw bad(b.remaining() + " trailing bytes after frame type " + type);
            validate(f);
            return f;
        } catch (BufferUnderflowException e) {
            throw bad("frame truncated");
        }
    }

    private static String unsupported(int version) {
        String why = version < VERSION
                ? ": the peer runs a Tether from before "
                        + (version < 2 ? "message checksums (version 2)" : version == 2 ? V3 : V4) + "; upgrade it"
                : ": the peer runs a newer Tether; upgrade this node";
        return "unsupported protocol version " + version + " (this node speaks " + VERSION + ")" + why;
    }

    private static void validate(Frame f) {
        if (f instanceof Frame.Open o && o.ackedSeq() > o.lastSeq()) {
            throw bad("OPEN ackedSeq " + o.ackedSeq() + " > lastSeq " + o.lastSeq());
        }
    }

    /**
     * An ACK frame's entries. The count is checked against the bytes left before anything is allocated for it; an
     * entry that is malformed refuses the whole frame, naming the entry.
     */
    private static Frame.Acks acks(ByteBuffer b) {
        int count = b.getShort() & 0xffff;
        if (count < 1 || (long) count * MIN_ACK_ENTRY > b.remaining()) {
            throw bad("ACK entry count " + count + " does not fit the frame (" + b.remaining()
                    + " bytes left, at least " + MIN_ACK_ENTRY + " per entry)");
        }
        Frame.Acks acks = Frame.Acks.ofCount(count);
        for (int i = 0; i < count; i++) {
            String lane = lane(b);
            long epoch = epoch(b);
            long received = seq0(b, "receivedSeq");
            long processed = seq0(b, "processedSeq");
            long credit = seq0(b, "creditSeq");
            if (processed > received || received > credit) {
                throw bad("ACK entry " + (i + 1) + " of " + count + " (lane " + lane
                        + ") requires processed <= received <= credit, got " + processed + ", " + received + ", "
                        + credit);
            }
            acks.set(i, lane, epoch, received, processed, credit);
        }
        return acks;
    }

    private static Frame.Data data(ByteBuffer b) {
        String lane = lane(b);
        long epoch = epoch(b);
        long first = seq1(b, "firstSeq");
        int count = b.getInt();
        // Each message needs at least MESSAGE_OVERHEAD bytes: bound the count before allocating for it.
        if (count < 1 || (long) count * MESSAGE_OVERHEAD > b.remaining()) {
            throw bad("DATA message count " + count + " does not fit the frame");
        }
        if (first + count - 1 < first) throw bad("DATA sequence numbers overflow");
        // One message (a frame per message and stream with many streams): one small list, not a list and an array.
        if (count == 1) return new Frame.Data(lane, epoch, first, List.of(message(b)));
        List<Frame.Message> msgs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) msgs.add(message(b));
        return new Frame.Data(lane, epoch, first, msgs);
    }

    private static Frame.Message message(ByteBuffer b) {
        int flags = b.get() & 0xff;
        if ((flags & ~KNOWN_FLAGS) != 0) throw bad("unknown message flags " + flags);
        long expires = b.getLong();
        if (expires < 0) throw bad("negative expiry " + expires);
        int headerCount = b.getShort() & 0xffff;
        if (headerCount * 4L > b.remaining()) throw bad("header count " + headerCount + " does not fit the frame");
        Map<String, String> headers = headers(b, headerCount);
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) throw bad("payload length " + len + " does not fit the frame");
        if ((flags & Frame.Message.DROPPED) != 0) dropped(flags, headerCount, len);
        byte[] payload = new byte[len];
        b.get(payload);
        long checksum = (b.getInt() & 0xffff_ffffL) ^ FLAG_CHECKSUMS[flags];
        return new Frame.Message(flags, expires, headers, payload, checksum);
    }

    /**
     * A message's headers in wire order, unmodifiable. One header (a priority level, say) is a one-entry map: one
     * object per buffered message instead of six, which matters for a receiver holding a window of every stream; one
     * seen lately is shared ({@link HeaderMaps}): no object of its own.
     */
    private static Map<String, String> headers(ByteBuffer b, int headerCount) {
        if (headerCount == 0) return Map.of();
        if (headerCount == 1) {
            Map<String, String> known = HeaderMaps.known(b);
            return known != null ? known : HeaderMaps.remember(headerName(b), str16(b));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerCount; i++) {
            String k = headerName(b);
            if (headers.put(k, str16(b)) != null) throw bad("duplicate header '" + k + "'");
        }
        return java.util.Collections.unmodifiableMap(headers);
    }

    private static String headerName(ByteBuffer b) {
        String k = str16(b);
        if (k.isEmpty()) throw bad("empty header name");
        return k;
    }

    /** A DROPPED marker is a marker of one kind: nothing of the message, no other marker flag. */
    private static void dropped(int flags, int headerCount, int payloadLength) {
        if ((flags & (Frame.Message.EXPIRED | Frame.Message.CANCELLED | Frame.Message.CORRUPT)) != 0) {
            throw bad("DROPPED marker with other marker flags " + flags);
        }
        if (headerCount != 0 || payloadLength != 0) {
            throw bad("DROPPED marker carries " + headerCount + " headers and " + payloadLength + " payload bytes");
        }
    }

    private static int outcomeKind(ByteBuffer b) {
        int k = b.get() & 0xff;
        if (k < Frame.OutcomeNotice.EXPIRED || k > Frame.OutcomeNotice.DROPPED) throw bad("unknown outcome " + k);
        return k;
    }

    private static NodeId nodeId(ByteBuffer b) {
        try {
            return new NodeId(str(b, b.get() & 0xff));
        } catch (InvalidIdException e) {
            throw bad(e.getMessage());
        }
    }

    /** A lane decoded before is taken from {@link LaneNames} (no string, no validation again). */
    private static String lane(ByteBuffer b) {
        int len = b.get() & 0xff;
        if (b.hasArray() && len <= b.remaining()) {
            String known = LaneNames.known(b.array(), b.arrayOffset() + b.position(), len);
            if (known != null) {
                b.position(b.position() + len);
                return known;
            }
        }
        try {
            return LaneNames.rememberDecoded(Lanes.requireValid(str(b, len)));
        } catch (InvalidIdException e) {
            throw bad(e.getMessage());
        }
    }

    private static long epoch(ByteBuffer b) {
        long e = b.getLong();
        if (e == 0) throw bad("epoch must not be 0");
        return e;
    }

    private static long seq0(ByteBuffer b, String what) {
        long s = b.getLong();
        if (s < 0) throw bad(what + " must be >= 0, was " + s);
        return s;
    }

    private static long seq1(ByteBuffer b, String what) {
        long s = b.getLong();
        if (s < 1) throw bad(what + " must be >= 1, was " + s);
        return s;
    }

    private static String str16(ByteBuffer b) {
        return str(b, b.getShort() & 0xffff);
    }

    /**
     * The UTF-8 string of the next {@code len} bytes. Lanes, node ids and header names and values are nearly always
     * ASCII, which decodes byte for byte: that case skips the strict decoder (a new one per string) and its buffers,
     * which cost more than the rest of a small message's decoding. Any byte above 0x7f takes the strict path.
     */
    private static String str(ByteBuffer b, int len) {
        if (len > b.remaining()) throw bad("string of " + len + " bytes does not fit the frame");
        byte[] a;
        int off;
        if (b.hasArray()) {
            a = b.array();
            off = b.arrayOffset() + b.position();
            b.position(b.position() + len);
        } else {
            a = new byte[len];
            b.get(a);
            off = 0;
        }
        for (int i = off, end = off + len; i < end; i++) {
            if (a[i] < 0) return utf8(a, off, len);
        }
        return new String(a, off, len, StandardCharsets.ISO_8859_1); // ASCII: the same characters as UTF-8
    }

    private static String utf8(byte[] a, int off, int len) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(a, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad("invalid UTF-8 in string");
        }
    }

    private static ProtocolException bad(String reason) {
        return new ProtocolException(reason);
    }
}
