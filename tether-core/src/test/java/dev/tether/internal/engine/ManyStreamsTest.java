package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

    /**
     * A send through the stream an earlier send returned goes to that stream without a lookup by key, and an
     * acknowledgment hands the runtime what it attached to the stream (its send room): neither layer looks the other's
     * state up again. The stream's count of unacknowledged messages is the one the queries give by key.
     */
    @Test
    void aStreamResolvedOnceCarriesLaterSendsAndHandsBackItsAttachment() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        EngineHarness.Node a = h.node("a");
        OutboundRef[] s = new OutboundRef[2];
        a.input(e -> s[0] = e.send(h.now, ++h.tokens, null, B, "lane-1", Map.of(), "m1".getBytes(), 0, -1, 0));
        Object room = new Object();
        s[0].attach(room);
        a.input(e -> s[1] = e.send(h.now, ++h.tokens, s[0], B, "lane-1", Map.of(), "m2".getBytes(), 0, -1, 0));
        assertThat(s[1]).isSameAs(s[0]);
        assertThat(s[0].key()).isEqualTo(new StreamKey(B, "lane-1"));
        assertThat(s[0].unacked()).isEqualTo(2).isEqualTo(a.engine.outbound().unacked(s[0].key()));
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m1", "m2");
        assertThat(s[0].unacked()).isZero();
        assertThat(a.acked).containsEntry(s[0].key(), 2L);
        assertThat(a.ackedAttachments).isNotEmpty().containsOnly(room);
    }

    /**
     * Once a stream is open and its sender knows of ample credit, what arrives is acknowledged by the ACK of the
     * cursor's commit alone: one ACK entry per stream and batch, not a receipt ACK and then a commit ACK; and the
     * entries of one turn go to the peer in one ACK frame, not one frame per stream.
     */
    @Test
    void aStreamWithAmpleCreditIsAcknowledgedOncePerBatchAndATurnsEntriesShareAFrame() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        int streams = 100;
        for (int i = 0; i < streams; i++) h.node("a").send(B, "lane-" + i, "first");
        h.run();
        List<Frame.Acks> acks = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (FrameCodec.decode(frame.duplicate()) instanceof Frame.Acks a) acks.add(a);
            return true;
        };
        h.bursts = true; // the node loop's turns: the sends go in one, and so do the DATA frames that follow
        for (int i = 0; i < streams; i++) h.node("a").send(B, "lane-" + i, "second");
        h.runBursts();
        assertThat(h.node("a").acked)
                .hasSize(streams)
                .allSatisfy((k, v) -> assertThat(v).isEqualTo(2));
        assertThat(acks)
                .as("ACK frames for %d streams committed in one batch", streams)
                .hasSize(1);
        assertThat(acks.get(0).entries())
                .extracting(Frame.Ack::lane)
                .as("one entry per stream")
                .hasSize(streams)
                .doesNotHaveDuplicates();
    }

    /**
     * The entries of a turn that do not fit one frame go in several, each within the frame limit (the DATA frame target
     * or less), and every stream has its one entry.
     */
    @Test
    void aTurnsAcksBeyondTheFrameLimitAreSplitAcrossFrames() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        for (int i = 0; i < STREAMS; i++) h.node("a").send(B, "lane-" + i, "opens");
        h.run();
        List<Integer> sizes = new ArrayList<>();
        List<String> lanes = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (FrameCodec.decode(frame.duplicate()) instanceof Frame.Acks a) {
                sizes.add(frame.remaining());
                a.entries().forEach(e -> lanes.add(e.lane()));
            }
            return true;
        };
        h.bursts = true;
        for (int i = 0; i < STREAMS; i++) h.node("a").send(B, "lane-" + i, "m" + i);
        h.runBursts();
        assertThat(h.node("a").acked)
                .hasSize(STREAMS)
                .allSatisfy((k, v) -> assertThat(v).isEqualTo(2));
        int limit = Math.min(h.config(B).maxFrameBytes(), EngineConfig.DATA_FRAME_TARGET);
        assertThat(sizes).hasSizeGreaterThan(1).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limit));
        assertThat(sizes.size())
                .as("frames: full ones (PendingAcksTest), one partial per turn")
                .isLessThan(STREAMS / 10);
        assertThat(lanes).hasSize(STREAMS).doesNotHaveDuplicates();
    }

    /**
     * A message the application holds is not processed, so no commit acknowledges it: the receipt ACK goes out on the
     * next tick, well before the sender's retransmission timeout, and nothing is sent twice.
     */
    @Test
    void whatArrivesAndIsNotProcessedIsAcknowledgedOnTheNextTickNotRetransmitted() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, "l", "m1");
        h.run();
        List<Frame.Ack> acks = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (FrameCodec.decode(frame.duplicate()) instanceof Frame.Acks a) acks.addAll(a.entries());
            return true;
        };
        h.node("b").hold.add(2L);
        h.node("a").send(B, "l", "m2");
        h.run();
        assertThat(acks).as("no receipt ACK before the tick").isEmpty();
        h.advance(10);
        assertThat(acks).singleElement().satisfies(a -> {
            assertThat(a.receivedSeq()).isEqualTo(2);
            assertThat(a.processedSeq()).isEqualTo(1);
        });
        for (int i = 0; i < 10; i++) h.advance(100);
        assertThat(outbound(h).retransmitted()).isZero();
        h.node("b").release();
        h.run();
        assertThat(h.node("a").acked.values()).containsExactly(2L);
    }

    private static dev.tether.StreamStats outbound(EngineHarness h) {
        return h.node("a").engine.streamStats().stream()
                .filter(s -> s.direction() == dev.tether.StreamStats.Direction.OUTBOUND)
                .findFirst()
                .orElseThrow();
    }
}
