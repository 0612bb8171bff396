package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lanes of received frames come from {@link LaneNames} on the decoder the receiver runs ({@link FrameCodec#decode},
 * from {@link InboundFrames#onFrame}), in the buffers the transports hand over: once a steady set of 10,000 lanes has
 * been decoded a few times, a frame decoded again names the very string decoded before, for DATA (the receiver) and ACK
 * entries (the sender), in a buffer of its own (TCP, in-memory) or a slice at an offset (NATS), even after the table was
 * full of lanes no longer used (a process's earlier streams, other tests). A profile once showed most lane decodes in
 * the slow path; they were samples of the lookup that JFR, without {@code -XX:+DebugNonSafepoints}, put on the wrong
 * line. What did miss was a new set of lanes after others: the victim of a full set was the newcomer's hash's, so the
 * unused names kept their slots.
 */
class ReceivedLanesTest {
    private static final int LANES = 10_000;
    /** Sets of the table that more than four of the lanes hash to keep missing: about 3% of them. */
    private static final int MIN_SAME = LANES * 96 / 100;
    /** Passes over the lanes before the one measured: the lanes still used win their slots back from unused ones. */
    private static final int WARM_PASSES = 8;

    @Test
    void dataFramesOfTenThousandLanesDecodeToTheLanesDecodedBefore() {
        fillWithUnusedLanes("gone-data-");
        byte[][] frames = new byte[LANES][];
        for (int i = 0; i < LANES; i++) frames[i] = data("received-" + i);
        String[] before = dataLanes(frames, false);
        for (int pass = 1; pass < WARM_PASSES; pass++) before = dataLanes(frames, false);
        long unknown = LaneNames.decodedUnknown();
        assertThat(same(before, dataLanes(frames, false)))
                .as("lanes decoded again as the same string")
                .isGreaterThanOrEqualTo(MIN_SAME);
        assertThat(LaneNames.decodedUnknown() - unknown)
                .as("lanes not found in the table, made again")
                .isLessThanOrEqualTo(LANES - MIN_SAME);
        before = dataLanes(frames, true);
        assertThat(same(before, dataLanes(frames, true)))
                .as("lanes decoded from slices at an offset")
                .isGreaterThanOrEqualTo(MIN_SAME);
    }

    @Test
    void ackEntriesOfTenThousandLanesDecodeToTheLanesDecodedBefore() {
        fillWithUnusedLanes("gone-ack-");
        String[] lanes = new String[LANES];
        for (int i = 0; i < LANES; i++) lanes[i] = "acked-" + i;
        String[] before = ackLanes(lanes);
        assertThat(before).containsExactly(lanes);
        for (int pass = 1; pass < WARM_PASSES; pass++) before = ackLanes(lanes);
        long unknown = LaneNames.decodedUnknown();
        assertThat(same(before, ackLanes(lanes)))
                .as("lanes decoded again as the same string")
                .isGreaterThanOrEqualTo(MIN_SAME);
        assertThat(LaneNames.decodedUnknown() - unknown)
                .as("lanes not found in the table, made again")
                .isLessThanOrEqualTo(LANES - MIN_SAME);
    }

    /** Three times 10,000 lanes decoded once and never again: more than the table holds. */
    private static void fillWithUnusedLanes(String prefix) {
        for (int gen = 0; gen < 3; gen++) {
            byte[][] frames = new byte[LANES][];
            for (int i = 0; i < LANES; i++) frames[i] = data(prefix + gen + "-" + i);
            dataLanes(frames, false);
        }
    }

    private static byte[] data(String lane) {
        ByteBuffer b = ByteBuffer.allocate(64 + lane.length());
        int at = FrameCodec.beginData(b, lane, 7, 1);
        FrameCodec.message(b, 0, 0, Map.of(), new byte[] {1, 2, 3}, 0);
        FrameCodec.endData(b, at, 1);
        byte[] frame = new byte[b.position()];
        b.flip().get(frame);
        return frame;
    }

    /** The lanes of {@code frames} decoded in a buffer of their own, or at offset 5 of a larger array. */
    private static String[] dataLanes(byte[][] frames, boolean sliced) {
        String[] lanes = new String[frames.length];
        for (int i = 0; i < frames.length; i++) {
            ByteBuffer b = ByteBuffer.wrap(frames[i]);
            if (sliced) {
                byte[] padded = new byte[frames[i].length + 9];
                System.arraycopy(frames[i], 0, padded, 5, frames[i].length);
                b = ByteBuffer.wrap(padded, 5, frames[i].length).slice();
            }
            lanes[i] = ((Frame.Data) FrameCodec.decode(b)).lane();
        }
        return lanes;
    }

    /** The lanes of ACK frames of 500 entries each, decoded. */
    private static String[] ackLanes(String[] lanes) {
        String[] decoded = new String[lanes.length];
        for (int from = 0; from < lanes.length; from += 500) {
            ByteBuffer b = ByteBuffer.allocate(64 * 500);
            int countAt = FrameCodec.beginAcks(b);
            for (int i = from; i < from + 500; i++) FrameCodec.ackEntry(b, lanes[i], 7, 2, 1, 3);
            FrameCodec.endAcks(b, countAt, 500);
            Frame.Acks acks = (Frame.Acks) FrameCodec.decode(b.flip());
            for (int i = 0; i < 500; i++) decoded[from + i] = acks.lane(i);
        }
        return decoded;
    }

    private static int same(String[] a, String[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).isEqualTo(a[i]);
            if (a[i] == b[i]) n++;
        }
        return n;
    }
}
