package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ACK frame of protocol version 4 (docs/PROTOCOL.md, "Frames"): a count and that many entries, one per stream. It
 * round-trips, and every way it can be malformed (a count that lies either way, a truncated entry, an entry that breaks
 * the rules) refuses the whole frame with a reason naming the problem.
 */
class AckFrameCodecTest {
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

    private byte[] acks(Frame.Ack... entries) {
        buf.clear();
        int at = FrameCodec.beginAcks(buf);
        for (Frame.Ack a : entries) {
            FrameCodec.ackEntry(buf, a.lane(), a.senderEpoch(), a.receivedSeq(), a.processedSeq(), a.creditSeq());
        }
        FrameCodec.endAcks(buf, at, entries.length);
        buf.flip();
        return Arrays.copyOf(buf.array(), buf.limit());
    }

    @Test
    void entriesOfSeveralStreamsRoundTripInOrderAndTheirSizeIsTheOneReserved() {
        Frame.Ack[] entries = {
            new Frame.Ack("orders", 7, 5, 4, 1029),
            new Frame.Ack("_v.x", -3, 0, 0, 0),
            new Frame.Ack("orders", 7, 6, 6, 6)
        };
        byte[] frame = acks(entries);
        assertThat(FrameCodec.decode(ByteBuffer.wrap(frame))).isEqualTo(new Frame.Acks(List.of(entries)));
        int size = FrameCodec.ACK_HEADER;
        for (Frame.Ack a : entries) size += FrameCodec.ackEntrySize(a.lane());
        assertThat(frame).hasSize(size);
        // The single-entry encoder writes the same layout with a count of 1.
        buf.clear();
        FrameCodec.ack(buf, "orders", 7, 5, 4, 1029);
        buf.flip();
        assertThat(Arrays.copyOf(buf.array(), buf.limit())).isEqualTo(acks(entries[0]));
    }

    @Test
    void aLaneDecodedBeforeIsNotConfusedWithAnotherAndAnInvalidOneIsRefusedAfterValidOnes() {
        for (String lane : List.of("lane-a", "lane-b", "lane-a", "lane-ab")) {
            assertThat(FrameCodec.decode(ByteBuffer.wrap(acks(new Frame.Ack(lane, 1, 1, 1, 1)))))
                    .isEqualTo(new Frame.Acks(List.of(new Frame.Ack(lane, 1, 1, 1, 1))));
        }
        byte[] accented = acks(new Frame.Ack("lane-a", 1, 1, 1, 1));
        accented[FrameCodec.ACK_HEADER + 6] = (byte) 0xe1; // "lane-\u00e1" in Latin-1: not UTF-8, not a lane
        assertBad(accented, "invalid UTF-8 in string");
        byte[] space = acks(new Frame.Ack("lane-a", 1, 1, 1, 1));
        space[FrameCodec.ACK_HEADER + 5] = ' ';
        assertBad(space, "invalid lane 'lane a'");
    }

    @Test
    void aCountThatLiesIsRefused() {
        byte[] two = acks(new Frame.Ack("a", 1, 1, 1, 1), new Frame.Ack("b", 1, 2, 2, 2));
        assertBad(count(two, 0), "ACK entry count 0 does not fit the frame");
        // More entries than the bytes can hold: refused before anything is allocated for them.
        assertBad(
                count(two, 0xffff),
                "ACK entry count 65535 does not fit the frame (" + (two.length - 5)
                        + " bytes left, at least 34 per entry)");
        // Fewer than there are: the rest is trailing.
        assertBad(count(two, 1), "trailing bytes after frame type 4");
        // Three claimed, two there, the bytes of two do not hold three at the minimum size: the count check.
        assertBad(count(two, 3), "ACK entry count 3 does not fit the frame");
    }

    @Test
    void aTruncatedEntryIsRefused() {
        String lane = "l".repeat(40); // entries well above the minimum size: the count check lets the cuts through
        byte[] two = acks(new Frame.Ack(lane, 1, 1, 1, 1), new Frame.Ack(lane + "b", 1, 2, 2, 2));
        assertBad(Arrays.copyOf(two, two.length - 1), "frame truncated");
        assertBad(Arrays.copyOf(two, two.length - 20), "frame truncated"); // in the second entry's received
        assertBad(Arrays.copyOf(two, two.length - 28), "frame truncated"); // in its epoch
        byte[] header = Arrays.copyOf(two, 4); // the count cut in half
        assertBad(header, "frame truncated");
        // A lane length beyond the frame, in an entry the count check let through.
        byte[] longLane = acks(new Frame.Ack("a", 1, 1, 1, 1), new Frame.Ack("b", 1, 1, 1, 1));
        longLane[FrameCodec.ACK_HEADER + FrameCodec.ackEntrySize("a")] = (byte) 200;
        assertBad(longLane, "string of 200 bytes does not fit the frame");
    }

    @Test
    void anEntryThatBreaksTheRulesRefusesTheFrameNamingIt() {
        assertBad(
                acks(new Frame.Ack("a", 1, 1, 1, 1), new Frame.Ack("b", 1, 1, 2, 3)),
                "ACK entry 2 of 2 (lane b) requires processed <= received <= credit, got 2, 1, 3");
        assertBad(
                acks(new Frame.Ack("a", 1, 5, 1, 4)),
                "ACK entry 1 of 1 (lane a) requires processed <= received <= credit");
        assertBad(acks(new Frame.Ack("a", 1, 1, 1, 1), new Frame.Ack("b", 0, 1, 1, 1)), "epoch must not be 0");
        assertBad(acks(new Frame.Ack("a", 1, -1, -1, 1)), "receivedSeq must be >= 0, was -1");
        assertBad(acks(new Frame.Ack("a", 1, 1, 1, 1), new Frame.Ack("bad lane", 1, 1, 1, 1)), "invalid lane");
    }

    private static byte[] count(byte[] frame, int count) {
        byte[] f = frame.clone();
        f[3] = (byte) (count >>> 8);
        f[4] = (byte) count;
        return f;
    }

    private static void assertBad(byte[] bytes, String reason) {
        assertThatThrownBy(() -> FrameCodec.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(reason);
    }
}
