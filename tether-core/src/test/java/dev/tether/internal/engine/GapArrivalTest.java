package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md: a receiver takes a stream's messages in order only. A message that arrives after a gap (the one
 * before it lost on the way) is not buffered ahead of the missing one; the retransmission fills the gap and every
 * message is handed out once, in order. With the engine alone and the harness's clock, so a break of it does not
 * take the simulator's random seeds to show (a receiver that buffered the message after the gap fails here).
 */
class GapArrivalTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    /** Whether {@code frame} holds the bytes of {@code payload} (the harness's frames are not compressed). */
    private static boolean carries(ByteBuffer frame, String payload) {
        byte[] b = new byte[frame.remaining()];
        frame.duplicate().get(b);
        return new String(b, StandardCharsets.ISO_8859_1).contains(payload);
    }

    @Test
    void aMessageAfterAGapWaitsForTheMissingOneAndAllAreHandedOutOnceInOrder() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, "l", "m1");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m1");

        List<Integer> lost = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (!from.equals(A) || !lost.isEmpty() || !carries(frame, "m2")) return true;
            lost.add(frame.remaining()); // the first frame carrying m2 is lost on the way
            return false;
        };
        h.node("a").send(B, "l", "m2");
        h.run();
        assertThat(lost).as("m2's frame was lost").hasSize(1);
        h.node("a").send(B, "l", "m3");
        h.run(); // m3 arrives after the gap at 2: not taken until m2 is retransmitted
        for (int i = 0; i < 100 && h.node("a").acked.getOrDefault(AB, 0L) < 3; i++) h.advance(100);

        assertThat(h.node("b").payloads()).containsExactly("m1", "m2", "m3");
        assertThat(h.node("b").delivered).extracting(InboundMessage::seq).containsExactly(1L, 2L, 3L);
        assertThat(h.node("b").engine.streamStats()).singleElement().satisfies(s -> {
            assertThat(s.delivered()).isEqualTo(3);
            assertThat(s.redelivered()).isZero();
        });
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        assertThat(h.node("a").engine.streamStats())
                .singleElement()
                .satisfies(
                        s -> assertThat(s.retransmitted()).as("m2 sent again").isPositive());
    }
}
