package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StreamStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md sender step 6: the retransmission timeout follows the measured round trip from DATA to its ACK
 * ({@link DataRoundTrip}), so that a round trip above the first timeout (a deep pipeline) does not send every message
 * twice, while a lost frame is still sent again.
 */
class RetransmitTimeoutTest {
    private static final NodeId B = NodeId.of("b");
    private static final int STREAMS = 20;
    private static final long ACK_DELAY = 600;

    /** A frame held back until {@code at}. */
    private record Held(long at, ByteBuffer frame) {}

    @Test
    void aRoundTripAboveTheFirstTimeoutIsMeasuredAndThenNothingIsSentTwice() {
        EngineHarness h = EngineHarness.withNodeDefaults(b -> b, "a", "b");
        List<Held> held = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (!from.equals(B) || !(FrameCodec.decode(frame.duplicate()) instanceof Frame.Acks)) return true;
            held.add(new Held(h.now + ACK_DELAY, frame)); // every ACK takes 600 ms, three times the first timeout
            return false;
        };
        h.connect("a", "b");
        h.run();
        long[] retransmittedAfter = new long[10];
        for (int round = 0; round < retransmittedAfter.length; round++) {
            for (int i = 0; i < STREAMS; i++) h.node("a").send(B, "lane-" + i, "m" + round);
            h.run();
            long ackedBefore = round + 1;
            for (int step = 0; step < 1_000 && !allAcked(h, ackedBefore); step++) {
                h.advance(10);
                for (Held f : List.copyOf(held)) {
                    if (f.at() > h.now) continue;
                    held.remove(f);
                    h.node("a").input(e -> e.onFrame(h.now, B, f.frame()));
                }
                h.run();
            }
            assertThat(allAcked(h, ackedBefore))
                    .as("round %d acknowledged", round)
                    .isTrue();
            retransmittedAfter[round] = retransmitted(h);
        }
        System.out.println("RetransmitTimeoutTest: retransmitted after each round "
                + java.util.Arrays.toString(retransmittedAfter));
        assertThat(retransmittedAfter[0])
                .as("the first round times out before its ACKs")
                .isPositive();
        assertThat(retransmittedAfter[9])
                .as("once measured, the later rounds send nothing twice")
                .isEqualTo(retransmittedAfter[2]);
        assertThat(h.node("b").payloads()).hasSize(STREAMS * retransmittedAfter.length);
    }

    private static boolean allAcked(EngineHarness h, long upTo) {
        if (h.node("a").acked.size() < STREAMS) return false;
        return h.node("a").acked.values().stream().allMatch(v -> v >= upTo);
    }

    private static long retransmitted(EngineHarness h) {
        return h.node("a").engine.streamStats().stream()
                .filter(s -> s.direction() == StreamStats.Direction.OUTBOUND)
                .mapToLong(StreamStats::retransmitted)
                .sum();
    }
}
