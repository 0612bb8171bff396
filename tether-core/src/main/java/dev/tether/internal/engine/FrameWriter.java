package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.spi.MessageChecksum;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Encodes frames into one reused buffer and hands each to {@link EngineOutput#transmit} as soon as it is
 * complete. A DATA frame is built in steps: {@link #beginData}, then {@link #fits} and {@link #message} per
 * message, then {@link #endData}. ACKs wait for the end of the turn ({@link #flushAcks}), so that one frame per peer
 * carries the entries of many streams. Not thread-safe: the engine's thread only.
 */
final class FrameWriter {
    private static final byte[] EMPTY = new byte[0];
    /** The reserved header of a message sent damaged because it could not be sent: why. */
    static final String UNSENT = ":x";

    private final ByteBuffer buf;
    private final EngineOutput out;
    private int countAt;
    /** Where the DATA frame being built puts its first message. */
    private int dataStart;

    private final PendingAcks acks = new PendingAcks();
    /** What HELLO says this process decompresses, and how DATA messages are compressed for each peer. */
    WireCompression compression = WireCompression.NONE;
    /**
     * How many bytes the DATA frame being built grows by when its compressed messages are decompressed: the
     * receiver refuses a frame whose decompressed size exceeds its frame limit, so {@link #fits} counts it.
     */
    private int inflation;
    /**
     * The largest frame the transport carries now: the buffer's capacity, or less once the transport reported a
     * carrier that allows less ({@link #limit(int)}).
     */
    private int transportLimit;
    /** Peers whose carrier allows less than the buffer's capacity ({@link #limit(NodeId, int)}): that limit. */
    private final Map<NodeId, Integer> peerLimits = new java.util.HashMap<>();
    /**
     * The limit of the frame being built: the smaller of {@link #transportLimit} and its peer's, taken when it begins.
     * Frames are built within it; a message that cannot fit it even alone is {@link #unsendable}.
     */
    private int limit;

    FrameWriter(int maxFrameBytes, EngineOutput out) {
        this.buf = ByteBuffer.allocate(maxFrameBytes);
        this.out = out;
        this.transportLimit = maxFrameBytes;
        this.limit = maxFrameBytes;
    }

    /**
     * The transport carries frames of at most {@code bytes} from now on (at most the frame limit this writer was made
     * with, which is kept for larger values). Frames built before are not changed: one that no longer fits is lost,
     * and its messages, when they go again, go within the new limit.
     */
    void limit(int bytes) {
        transportLimit = Math.max(1, Math.min(bytes, buf.capacity()));
    }

    /**
     * The transport carries frames to {@code peer} of at most {@code bytes} from now on (the member of a composite
     * that carries it; at most the frame limit this writer was made with, which is kept for larger values), within
     * {@link #limit(int)}. As there, frames built before are not changed.
     */
    void limit(NodeId peer, int bytes) {
        if (bytes >= buf.capacity()) peerLimits.remove(peer);
        else peerLimits.put(peer, Math.max(1, bytes));
    }

    /**
     * {@code peer} was removed: its limit and its acknowledgment arrays go (a limit is reported again before it is up
     * again). Entries of this turn still go out with the turn's others.
     */
    void forget(NodeId peer) {
        peerLimits.remove(peer);
        acks.forget(peer);
    }

    /** How many peers this writer keeps state for (a limit, acknowledgment arrays): for tests. */
    int peersKept() {
        return peerLimits.size() + acks.peers();
    }

    /** The limit of frames to {@code peer} now. */
    int limitFor(NodeId peer) {
        Integer p = peerLimits.get(peer);
        return p == null ? transportLimit : Math.min(transportLimit, p);
    }

    void hello(NodeId to, NodeId self, long epoch, long bootId) {
        buf.clear();
        FrameCodec.hello(buf, self, epoch, bootId, compression.decodes());
        transmit(to);
    }

    void open(NodeId to, String lane, long epoch, long ackedSeq, long lastSeq) {
        buf.clear();
        FrameCodec.open(buf, lane, epoch, ackedSeq, lastSeq);
        transmit(to);
    }

    /** Acknowledges a stream of {@code to}: sent with the turn's other entries for it by {@link #flushAcks}. */
    void ack(NodeId to, String lane, long senderEpoch, long received, long processed, long credit) {
        acks.add(to, lane, senderEpoch, received, processed, credit);
    }

    /** Sends the turn's ACK entries: per peer, in as few frames as {@link #ackFits} allows. */
    void flushAcks() {
        if (!acks.isEmpty()) acks.writeTo(this);
    }

    void beginAcks(NodeId to) {
        limit = limitFor(to);
        buf.clear();
        countAt = FrameCodec.beginAcks(buf);
    }

    /**
     * Whether the entry of {@code lane} goes into the ACK frame being built, which holds {@code count} entries so far:
     * the first always does; later ones up to {@link EngineConfig#DATA_FRAME_TARGET} (within the frame limit) and
     * {@link FrameCodec#MAX_ACK_ENTRIES} entries.
     */
    boolean ackFits(String lane, int count) {
        return count == 0
                || (count < FrameCodec.MAX_ACK_ENTRIES
                        && buf.position() + FrameCodec.ackEntrySize(lane)
                                <= Math.min(limit, EngineConfig.DATA_FRAME_TARGET));
    }

    void ackEntry(String lane, long senderEpoch, long received, long processed, long credit) {
        FrameCodec.ackEntry(buf, lane, senderEpoch, received, processed, credit);
    }

    void endAcks(NodeId to, int count) {
        FrameCodec.endAcks(buf, countAt, count);
        transmit(to);
    }

    void resend(NodeId to, String lane, long senderEpoch, long fromSeq) {
        buf.clear();
        FrameCodec.resend(buf, lane, senderEpoch, fromSeq);
        transmit(to);
    }

    void outcome(NodeId to, String lane, long senderEpoch, long seq, int outcome) {
        buf.clear();
        FrameCodec.outcome(buf, lane, senderEpoch, seq, outcome);
        transmit(to);
    }

    void cancel(NodeId to, String lane, long senderEpoch, long seq) {
        buf.clear();
        FrameCodec.cancel(buf, lane, senderEpoch, seq);
        transmit(to);
    }

    /** A PING stamped {@code sentAt}, the node clock in ms. */
    void ping(NodeId to, long sentAt) {
        buf.clear();
        FrameCodec.ping(buf, sentAt);
        transmit(to);
    }

    /** The answer to a PING stamped {@code sentAt}. */
    void pong(NodeId to, long sentAt) {
        buf.clear();
        FrameCodec.pong(buf, sentAt);
        transmit(to);
    }

    void beginData(NodeId to, String lane, long epoch, long firstSeq) {
        limit = limitFor(to);
        buf.clear();
        inflation = 0;
        countAt = FrameCodec.beginData(buf, lane, epoch, firstSeq);
        dataStart = buf.position();
    }

    /**
     * Why a stored message of {@code plainSize} encoded bytes with {@code headers} cannot go into a DATA frame of this
     * connection even alone, or null if it can: larger than the frame limit (stored before the limit was lowered, by
     * an older build's route, or above what the transport carries now: {@link #limit(int)}), or with a header the
     * frame's u16 lengths cannot hold. Headers are walked only for a message above 64 KiB.
     */
    String unsendable(int plainSize, Map<String, String> headers) {
        if ((long) dataStart + plainSize > limit) {
            return "message of " + plainSize + " encoded bytes does not fit a DATA frame of " + limit + " bytes ("
                    + (limit < buf.capacity() ? "the transport's current frame limit" : "frame limit") + ")";
        }
        if (plainSize > 0xffff && !FrameCodec.encodable(headers)) {
            return "message has more than 65535 headers or a header longer than 65535 UTF-8 bytes";
        }
        return null;
    }

    /** Bytes {@link #unsent} writes for {@code reason}. */
    static int unsentSize(String reason) {
        return FrameCodec.messageSize(Map.of(UNSENT, reason), 0);
    }

    /**
     * In place of a stored message that cannot be sent ({@link #unsendable}): a message marked {@link
     * Frame.Message#CORRUPT} (the receiver dead-letters it, never delivers it) whose only content is header {@value
     * #UNSENT} with {@code reason}; its checksum covers just that.
     */
    void unsent(String lane, long seq, int flags, long expiresAt, String reason) {
        Map<String, String> h = Map.of(UNSENT, reason);
        long checksum = MessageChecksum.of(lane, seq, expiresAt, h, EMPTY);
        FrameCodec.message(buf, flags | Frame.Message.CORRUPT, expiresAt, h, EMPTY, checksum);
    }

    /**
     * Whether a message of {@code wireSize} encoded bytes as sent (compressed or not) and {@code plainSize}
     * uncompressed goes into the DATA frame being built, which holds {@code count} messages so far: the first always
     * does; later ones up to {@link EngineConfig#DATA_FRAME_TARGET} on the wire (what interleaving streams is about),
     * and as long as the frame decompressed stays within the frame limit (with room for a {@code :z}: what the
     * receiver's decompression limit bounds).
     */
    boolean fits(int wireSize, int plainSize, int count) {
        int at = buf.position();
        return count == 0
                || (at + wireSize <= Math.min(limit, EngineConfig.DATA_FRAME_TARGET)
                        && (long) at + inflation + plainSize + WireCompression.MAX_HEADER_BYTES <= buf.capacity());
    }

    void message(int flags, long expiresAt, Map<String, String> headers, byte[] payload, long checksum) {
        FrameCodec.message(buf, flags, expiresAt, headers, payload, checksum);
    }

    /** A message compressed for this peer: {@code z} in place of its payload, {@code checksum} still its own. */
    void compressed(int flags, long expiresAt, WireCompression.Compressed z, int plainLength, long checksum) {
        FrameCodec.message(buf, flags, expiresAt, z.headers(), z.payload(), checksum);
        inflation += plainLength - z.payload().length;
    }

    /**
     * A marker ({@code kind}: EXPIRED, CANCELLED or DROPPED): no headers, no payload; its checksum covers just that, like any
     * message's (the kind is covered with the flags).
     */
    void marker(String lane, long seq, int flags, int kind, long expiresAt) {
        long checksum = MessageChecksum.of(lane, seq, expiresAt, Map.of(), EMPTY);
        FrameCodec.message(buf, flags | kind, expiresAt, Map.of(), EMPTY, checksum);
    }

    static int markerSize() {
        return FrameCodec.messageSize(Map.of(), 0);
    }

    void endData(NodeId to, int count) {
        FrameCodec.endData(buf, countAt, count);
        transmit(to);
    }

    private void transmit(NodeId peer) {
        buf.flip();
        out.transmit(peer, buf);
    }
}
