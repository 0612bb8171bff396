package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.MessageChecksum;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every frame the engine reads and drops because it is not of the current state of its peer or stream is counted in
 * {@link EngineCounters#framesIgnored} ({@code NodeStats.framesIgnored}), once (an ACK frame: once per stream entry it
 * drops), and none of them as a protocol error; the frames of a normal exchange are not counted. Before, each of these
 * was dropped silently: a peer whose frames were all dropped showed nowhere.
 */
class IgnoredFramesTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final String LANE = "l";
    private static final String VOLATILE = "_v.l";

    private EngineHarness h;
    private long epochA;

    /** a sent one message on {@link #LANE} and one on {@link #VOLATILE} to b, both processed and acknowledged. */
    @BeforeEach
    void exchange() {
        h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.run();
        h.node("a").send(B, LANE, "m1");
        h.node("a").send(B, VOLATILE, "v1");
        h.run();
        assertThat(h.node("b").payloads()).containsExactlyInAnyOrder("m1", "v1");
        epochA = h.node("a").engine.epoch();
        assertThat(ignored("a")).as("a normal exchange ignores nothing").isZero();
        assertThat(ignored("b")).as("a normal exchange ignores nothing").isZero();
    }

    @Test
    void aReceiverCountsDataAndCancelOfAnotherIncarnationOrBeforeTheStreamsOpen() {
        assertIgnored("b", A, b -> data(b, LANE, epochA + 1, 2), "DATA of another sender epoch");
        assertIgnored("b", A, b -> data(b, "unopened", epochA, 1), "DATA before its stream's OPEN");
        assertIgnored("b", A, b -> FrameCodec.cancel(b, LANE, epochA + 1, 2), "CANCEL of another sender epoch");
        assertIgnored("b", A, b -> FrameCodec.cancel(b, "unopened", epochA, 1), "CANCEL before its stream's OPEN");
        assertThat(h.node("b").payloads()).containsExactlyInAnyOrder("m1", "v1");
    }

    @Test
    void aSenderCountsAcksResendsAndOutcomesOfAnotherEpochOrOfNoStream() {
        assertIgnored("a", B, b -> FrameCodec.ack(b, LANE, epochA + 1, 1, 1, 100), "ACK of another epoch");
        assertIgnored("a", B, b -> FrameCodec.ack(b, "none", epochA, 1, 1, 100), "ACK of no stream here");
        assertIgnored("a", B, b -> FrameCodec.resend(b, LANE, epochA + 1, 1), "RESEND of another epoch");
        assertIgnored("a", B, b -> FrameCodec.resend(b, "none", epochA, 1), "RESEND of no stream here");
        assertIgnored(
                "a",
                B,
                b -> FrameCodec.outcome(b, LANE, epochA + 1, 1, Frame.OutcomeNotice.CANCELLED),
                "OUTCOME of another epoch");
        assertIgnored(
                "a",
                B,
                b -> FrameCodec.outcome(b, LANE, epochA, 1, Frame.OutcomeNotice.CANCELLED),
                "OUTCOME of a message acknowledged already");
    }

    /** An ACK frame of two streams, one of them not here: counted once, for that entry; the other entry is taken. */
    @Test
    void anAckFrameCountsOncePerStreamEntryItDrops() {
        assertIgnored(
                "a",
                B,
                b -> {
                    int countAt = FrameCodec.beginAcks(b);
                    FrameCodec.ackEntry(b, LANE, epochA, 1, 1, 100);
                    FrameCodec.ackEntry(b, "none", epochA, 1, 1, 100);
                    FrameCodec.endAcks(b, countAt, 2);
                },
                "an ACK frame with one entry of no stream here");
    }

    @Test
    void aSenderCountsAcksAndResendsOfAStreamNotOpen() {
        // A new connection: the streams reopen, the volatile one waits for b's HELLO; nothing of it has run yet.
        h.node("a").input(e -> e.onPeerDown(h.now, B));
        h.node("a").input(e -> e.onPeerUp(h.now, B));
        long bootA = h.node("a").engine.bootId();
        assertIgnored("a", B, b -> FrameCodec.resend(b, LANE, epochA, 1), "RESEND while the stream reopens");
        assertIgnored("a", B, b -> FrameCodec.ack(b, VOLATILE, bootA, 1, 1, 100), "volatile ACK before the HELLO");
    }

    @Test
    void aSenderCountsAcksOfAStreamStoppedAsDiverged() {
        long errors = h.node("a").engine.counters().protocolErrors();
        // b acknowledges more than a committed under the same epoch: the stream stops (a protocol error, not ignored).
        frame("a", B, b -> FrameCodec.ack(b, LANE, epochA, 5, 5, 100));
        assertThat(h.node("a").engine.counters().protocolErrors()).isEqualTo(errors + 1);
        assertIgnored("a", B, b -> FrameCodec.ack(b, LANE, epochA, 1, 1, 100), "ACK of a diverged stream");
    }

    @Test
    void everyFrameOfARemovedPeerIsCounted() {
        h.node("a").engine.removePeer(h.now, B);
        assertIgnored("a", B, b -> FrameCodec.ping(b, 1), "PING of a removed peer");
        assertIgnored("a", B, b -> FrameCodec.ack(b, LANE, epochA, 1, 1, 100), "ACK of a removed peer");
    }

    /** Hands {@code frame} from {@code from} to {@code to}: ignored, counted once, no protocol error. */
    private void assertIgnored(String to, NodeId from, Consumer<ByteBuffer> frame, String what) {
        long before = ignored(to);
        long errors = h.node(to).engine.counters().protocolErrors();
        frame(to, from, frame);
        assertThat(ignored(to)).as(what + ": counted once").isEqualTo(before + 1);
        assertThat(h.node(to).engine.counters().protocolErrors())
                .as(what + ": no error")
                .isEqualTo(errors);
    }

    private void frame(String to, NodeId from, Consumer<ByteBuffer> encoder) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        encoder.accept(b);
        b.flip();
        h.node(to).input(e -> e.onFrame(h.now, from, b));
    }

    private long ignored(String node) {
        return h.node(node).engine.counters().framesIgnored();
    }

    private static void data(ByteBuffer b, String lane, long epoch, long seq) {
        int countAt = FrameCodec.beginData(b, lane, epoch, seq);
        byte[] payload = {1};
        FrameCodec.message(b, 0, 0, Map.of(), payload, MessageChecksum.of(lane, seq, 0, Map.of(), payload));
        FrameCodec.endData(b, countAt, 1);
    }
}
