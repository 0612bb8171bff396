package dev.tether.internal.runtime;

import dev.tether.Priority;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The priority level a received frame waits at in the node loop's input ({@link LeveledInput}), read on the
 * transport's thread without decoding the frame (docs/PROTOCOL.md, "Frames"): a DATA frame's is its first message's
 * {@code :p}, anything else's (and a DATA frame's whose first message has none, or whose bytes are not as expected:
 * the decoder reports those) is the default. Frames of one stream that differ in level keep their order all the same:
 * {@link FrameInput} boxes them by peer and lane.
 */
final class FrameLevel {
    /** Frame types (docs/PROTOCOL.md, "Frames"). */
    static final int HELLO = 1, OPEN = 2, DATA = 3, ACK = 4, OUTCOME = 6, CANCEL = 9;
    /** Header (3), lane length (1); then epoch, firstSeq (8 each) and count (4) after the lane. */
    private static final int AFTER_LANE = 8 + 8 + 4;
    /** A message's flags (1) and expiresAt (8) before its header count. */
    private static final int BEFORE_HEADERS = 1 + 8;

    private FrameLevel() {}

    /** {@code frame}'s type byte, -1 if it is too short to have one. */
    static int type(ByteBuffer frame) {
        int p = frame.position();
        return frame.limit() - p < 3 ? -1 : frame.get(p + 2) & 0xff;
    }

    /**
     * The lane of a frame of one of the types that name one (OPEN, DATA, RESEND, OUTCOME, CANCEL), as a string of its
     * bytes one character each (a key, not the lane's text: no decoding), or null for another frame (an ACK names
     * several lanes) or one too short for its lane.
     */
    static String laneKey(ByteBuffer frame) {
        int type = type(frame);
        if (type < OPEN || type > OUTCOME && type != CANCEL || type == ACK) return null;
        int p = frame.position();
        if (frame.limit() - p < 4) return null;
        int length = frame.get(p + 3) & 0xff;
        if (frame.limit() - p - 4 < length) return null;
        byte[] lane = new byte[length];
        frame.get(p + 4, lane);
        return new String(lane, StandardCharsets.ISO_8859_1);
    }

    /** {@code frame}'s level (its position and limit are left unchanged). */
    static int of(ByteBuffer frame) {
        int p = frame.position(), end = frame.limit();
        if (end - p < 4 || frame.get(p + 2) != DATA) return Priority.DEFAULT;
        p += 4 + (frame.get(p + 3) & 0xff) + AFTER_LANE + BEFORE_HEADERS;
        if (p + 2 > end) return Priority.DEFAULT;
        int headers = frame.getShort(p) & 0xffff;
        p += 2;
        for (int i = 0; i < headers; i++) {
            if (p + 2 > end) return Priority.DEFAULT;
            int nameLength = frame.getShort(p) & 0xffff;
            int value = p + 2 + nameLength;
            if (value + 2 > end) return Priority.DEFAULT;
            int valueLength = frame.getShort(value) & 0xffff;
            if (nameLength == 2 && frame.get(p + 2) == ':' && frame.get(p + 3) == 'p') {
                if (valueLength != 1 || value + 3 > end) return Priority.DEFAULT;
                int level = frame.get(value + 2) - '0';
                return level >= 0 && level <= Priority.HIGHEST ? level : Priority.DEFAULT;
            }
            p = value + 2 + valueLength;
        }
        return Priority.DEFAULT;
    }
}
