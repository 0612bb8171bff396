package dev.tether.internal.engine;

import dev.tether.CompressionException;
import dev.tether.ProtocolException;
import dev.tether.spi.Compressor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compression of DATA messages on the wire (docs/PROTOCOL.md, "Compression"). A node decompresses with every codec it
 * has and says so in each connection's HELLO; it compresses with one codec, for peers whose HELLO on the current
 * connection lists it, the payloads of at least {@code threshold} bytes that shrink by at least an eighth. A
 * compressed message carries the reserved header {@code :z} ({@code <codec id>:<payload length>}) and keeps the
 * checksum of its original form, which the receiver verifies after decompressing: so the check is end to end, and
 * what is stored on either side is the original. Each outbound message is compressed at most once (the result, or
 * that it did not pay, is kept with it for retransmissions). Not thread-safe: the engine's thread only; the counters
 * are read by other threads as they are (monotonic, possibly a little stale).
 */
public final class WireCompression {
    /** The reserved header of a compressed message. */
    public static final String HEADER = ":z";
    /** The bytes {@code :z} adds to an encoded message at most: two lengths, the name, {@code 8:2147483647}. */
    static final int MAX_HEADER_BYTES = 4 + 2 + 12;
    /** Neither compresses nor decompresses: HELLO states no codecs, a {@code :z} is refused. */
    public static final WireCompression NONE = new WireCompression(List.of(), null, Integer.MAX_VALUE);

    /** The compressed form of a message: its headers with {@code :z}, and the compressed payload. */
    record Compressed(Map<String, String> headers, byte[] payload) {}

    private final Compressor[] byId = new Compressor[Compressor.MAX_ID + 1];
    private final int decodes;
    private final Compressor codec;
    private final int threshold;
    /** The largest frame this node's transport delivers: a frame decompressed may be as large (see inflate). */
    private final int inboundFrameBytes;

    private volatile long compressed;
    private volatile long bytesBefore;
    private volatile long bytesAfter;
    private volatile long keptPlain;
    private volatile long decompressed;

    /**
     * Decompresses with each of {@code available} (by id; the first of an id wins) and compresses with {@code codec}
     * (null: never) the payloads of at least {@code threshold} bytes.
     */
    public WireCompression(List<Compressor> available, Compressor codec, int threshold) {
        int bits = 0;
        for (Compressor c : available) {
            int id = c.id();
            if (id < 1 || id > Compressor.MAX_ID) throw new IllegalArgumentException(c.name() + ": id " + id);
            if (byId[id] == null) byId[id] = c;
            bits |= 1 << (id - 1);
        }
        if (codec != null && byId[codec.id()] == null) {
            byId[codec.id()] = codec;
            bits |= 1 << (codec.id() - 1);
        }
        this.decodes = bits;
        this.codec = codec;
        this.threshold = Math.max(threshold, 1);
        this.inboundFrameBytes = 0;
    }

    private WireCompression(WireCompression settings, int inboundFrameBytes) {
        System.arraycopy(settings.byId, 0, byId, 0, byId.length);
        this.decodes = settings.decodes;
        this.codec = settings.codec;
        this.threshold = settings.threshold;
        this.inboundFrameBytes = inboundFrameBytes;
    }

    /**
     * These codecs and threshold, with counters of their own, for a node whose transport delivers frames of up to
     * {@code inboundFrameBytes} ({@link dev.tether.spi.Transport#maxInboundFrameBytes()}): a compressed frame may
     * decompress into as much as a plain frame could be, so what a peer with a larger frame limit than this node's
     * packs is accepted (docs/PROTOCOL.md, "Compression").
     */
    public WireCompression receivingFramesUpTo(int inboundFrameBytes) {
        return new WireCompression(this, inboundFrameBytes);
    }

    /** The codecs this node decompresses, as HELLO states them ({@link Frame.Hello#codecs}). */
    public int decodes() {
        return decodes;
    }

    /** Messages compressed for transmission, each counted once however often it is transmitted. */
    public long compressed() {
        return compressed;
    }

    /** Payload bytes of those messages before compression. */
    public long bytesBefore() {
        return bytesBefore;
    }

    /** Payload bytes of those messages after compression. */
    public long bytesAfter() {
        return bytesAfter;
    }

    /** Payloads at or above the threshold left plain because compression saved less than an eighth (or failed). */
    public long keptPlain() {
        return keptPlain;
    }

    /** Received messages decompressed. */
    public long decompressed() {
        return decompressed;
    }

    // ---- sending ---------------------------------------------------------------------------------------

    /**
     * The compressed form of {@code m} for a peer whose HELLO stated {@code peerCodecs}, or null to send it plain: no
     * codec here or there, a payload below the threshold, or one that does not shrink by an eighth.
     */
    Compressed forPeer(int peerCodecs, OutRing m, long seq) {
        if (codec == null || (peerCodecs & (1 << (codec.id() - 1))) == 0) return null;
        if (m.stored(seq).payload().length < threshold || m.keptPlain(seq)) return null;
        Compressed z = m.compressed(seq);
        if (z == null) {
            z = compress(m, seq);
            if (z != null) m.compressed(seq, z);
        }
        return z;
    }

    private Compressed compress(OutRing m, long seq) {
        byte[] plain = m.stored(seq).payload();
        byte[] out = new byte[codec.maxCompressedLength(plain.length)];
        int n;
        try {
            n = codec.compress(plain, 0, plain.length, out, 0, out.length);
        } catch (CompressionException e) {
            n = Integer.MAX_VALUE; // sent plain: the receiver gets it all the same
        }
        if (n > plain.length - plain.length / 8) {
            m.keepPlain(seq);
            keptPlain++;
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>(m.stored(seq).headers());
        headers.put(HEADER, codec.id() + ":" + plain.length);
        compressed++;
        bytesBefore += plain.length;
        bytesAfter += n;
        return new Compressed(Collections.unmodifiableMap(headers), Arrays.copyOf(out, n));
    }

    // ---- receiving -------------------------------------------------------------------------------------

    /**
     * {@code f} with the compressed messages of a DATA frame decompressed (their {@code :z} removed), ready for
     * the checksum check; other frames unchanged. {@code wireLength} is the frame's size as received and {@code
     * maxFrameBytes} this node's frame limit. The frame decompressed must stay within the larger of that limit and
     * the largest frame this node's transport delivers ({@link #receivingFramesUpTo}): a sender packs by its own
     * frame limit, which may exceed this node's (a larger maxMessageBytes, a transport without the composite's
     * smallest member), and its plain frames of that size arrive all the same; a retransmission is packed alike, so
     * refusing such a frame would stop the stream for good. A bomb still stops at what a plain frame could be.
     *
     * @throws ProtocolException naming the message and the problem: a {@code :z} that is malformed, on a marker, names
     *     a codec this node did not state, declares more than the limit or makes the frame exceed it, or a payload
     *     that does not decompress into exactly the length declared (a bomb stops at that length)
     */
    Frame inflate(Frame f, int wireLength, int maxFrameBytes) {
        if (!(f instanceof Frame.Data d)) return f;
        int limit = Math.max(maxFrameBytes, inboundFrameBytes);
        List<Frame.Message> messages = null;
        long grown = 0;
        for (int i = 0; i < d.messages().size(); i++) {
            Frame.Message m = d.messages().get(i);
            String z = m.headers().get(HEADER);
            if (z == null) continue;
            String where = "compressed message " + (d.firstSeq() + i) + " on lane " + d.lane() + ": ";
            int[] idAndLength = parse(where, z, m);
            int declared = idAndLength[1];
            if (declared > limit) {
                throw new ProtocolException(
                        where + "declares " + declared + " bytes, above the frame limit of " + limit);
            }
            grown += declared - m.payload().length;
            if (wireLength + grown > limit) {
                throw new ProtocolException(where + "the frame would be " + (wireLength + grown)
                        + " bytes decompressed, above the frame limit of " + limit);
            }
            if (messages == null) messages = new ArrayList<>(d.messages());
            messages.set(i, decompress(where, byId[idAndLength[0]], m, declared));
        }
        return messages == null ? f : new Frame.Data(d.lane(), d.senderEpoch(), d.firstSeq(), messages);
    }

    private int[] parse(String where, String z, Frame.Message m) {
        if ((m.flags() & (Frame.Message.EXPIRED | Frame.Message.CANCELLED | Frame.Message.DROPPED)) != 0) {
            throw new ProtocolException(where + "a marker cannot be compressed");
        }
        if (z.length() < 3 || z.length() > 12 || z.charAt(1) != ':' || !digits(z)) {
            throw new ProtocolException(where + HEADER + " '" + z + "' is not <codec id>:<length>");
        }
        int id = z.charAt(0) - '0';
        long declared = Long.parseLong(z.substring(2));
        if (id < 1 || id > Compressor.MAX_ID || byId[id] == null) {
            throw new ProtocolException(where + "codec " + id + " is not one this node decompresses (it stated "
                    + Integer.toBinaryString(decodes) + " in HELLO)");
        }
        if (declared > Integer.MAX_VALUE) {
            throw new ProtocolException(where + "declares " + declared + " bytes");
        }
        return new int[] {id, (int) declared};
    }

    /** Whether every character but the colon at 1 is an ASCII digit. */
    private static boolean digits(String z) {
        for (int i = 0; i < z.length(); i++) {
            if (i != 1 && (z.charAt(i) < '0' || z.charAt(i) > '9')) return false;
        }
        return true;
    }

    private Frame.Message decompress(String where, Compressor c, Frame.Message m, int declared) {
        byte[] z = m.payload();
        byte[] plain = new byte[declared];
        int n;
        try {
            n = c.decompress(z, 0, z.length, plain, 0, declared);
        } catch (CompressionException e) {
            throw new ProtocolException(
                    where + "does not decompress into the " + declared + " bytes it declares (" + e.getMessage() + ")");
        }
        if (n != declared) {
            throw new ProtocolException(where + "declares " + declared + " bytes but decompresses to " + n);
        }
        Map<String, String> headers = new LinkedHashMap<>(m.headers());
        headers.remove(HEADER);
        decompressed++;
        return new Frame.Message(
                m.flags(), m.expiresAtMillis(), Collections.unmodifiableMap(headers), plain, m.checksum());
    }
}
