package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Many streams between two engines (issue 14 item 4): timers are kept per stream that has one, so streams with
 * nothing in flight cost a tick nothing, and every stream's timer still fires when its frames are lost.
 */
class ManyStreamsTest {
    private static final NodeId B = NodeId.of("b");
    private static final int STREAMS = 2_000;

    @Test
    void streamsWithNothingInFlightLeaveNoTimerToLookAt() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        for (int i = 0; i < STREAMS; i++) h.node("a").send(B, "lane-" + i, "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).hasSize(STREAMS);
        assertThat(h.node("a").acked)
                .hasSize(STREAMS)
                .allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        // In flight, each stream had its retransmission timer queued; once acknowledged they fire at most once more
        // (the entries from the transmission), find nothing due, and are not queued again.
        for (int i = 0; i < 5; i++) h.advance(1_000);
        assertThat(h.node("a").engine.timersQueued()).isZero();
        assertThat(h.node("b").engine.timersQueued()).isZero();
    }

    @Test
    void everyStreamIsRetransmittedOnItsOwnTimerWhenItsFramesAreLost() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.run();
        Set<String> lostOnce = new HashSet<>();
        // The first DATA frame of each stream is lost: only the stream's own retransmission timer sends it again.
        h.filter = (from, to, frame) ->
                !(FrameCodec.decode(frame.duplicate()) instanceof Frame.Data d) || !lostOnce.add(d.lane());
        for (int i = 0; i < STREAMS; i++) h.node("a").send(B, "lane-" + i, "m" + i);
        h.run();
        assertThat(lostOnce).hasSize(STREAMS);
        assertThat(h.node("b").payloads()).isEmpty();
        for (int i = 0; i < 50 && h.node("a").acked.size() < STREAMS; i++) h.advance(100);
        assertThat(h.node("a").acked)
                .hasSize(STREAMS)
                .allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        assertThat(h.node("b").payloads()).hasSize(STREAMS).doesNotHaveDuplicates();
    }
}
