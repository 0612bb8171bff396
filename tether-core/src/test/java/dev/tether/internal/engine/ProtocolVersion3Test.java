package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.spi.MessageChecksum;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What protocol version 3 changed, through two engines (manual time, no threads): a version 2 (and, since version 4,
 * a version 3) peer's frames are refused with the reason that says to upgrade it, the node keeps serving; a DROPPED marker is settled without being
 * handed out and its sender learns OUTCOME 6; the codecs a HELLO states are kept per connection.
 */
class ProtocolVersion3Test {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    @Test
    void anEarlierVersionsFrameIsRefusedWithTheReasonToUpgradeThePeerAndTheNodeKeepsServing() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        byte[] v2Ping = {FrameCodec.MAGIC, 2, Frame.PING, 0, 0, 0, 0, 0, 0, 0, 1};
        h.node("b").input(e -> e.onFrame(h.now, A, ByteBuffer.wrap(v2Ping)));
        byte[] v3Ping = {FrameCodec.MAGIC, 3, Frame.PING, 0, 0, 0, 0, 0, 0, 0, 1};
        h.advance(10_000); // past the rate limit of ProtocolError events
        h.node("b").input(e -> e.onFrame(h.now, A, ByteBuffer.wrap(v3Ping)));

        assertThat(h.node("b").engine.counters().protocolErrors()).isEqualTo(2);
        assertThat(h.node("b").events)
                .filteredOn(e -> e instanceof TetherEvent.ProtocolError)
                .extracting(e -> ((TetherEvent.ProtocolError) e).reason())
                .containsExactly(
                        "unsupported protocol version 2 (this node speaks 4): the peer runs a Tether from before"
                                + " compression codecs in HELLO, DROPPED markers and OUTCOMEs 5 and 6 (version 3);"
                                + " upgrade it",
                        "unsupported protocol version 3 (this node speaks 4): the peer runs a Tether from before"
                                + " ACK frames covering several streams (version 4); upgrade it");
        h.node("a").send(B, "l", "after");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("after");
    }

    @Test
    void aDroppedMarkerIsSettledUnprocessedAndItsSenderLearnsOutcomeDropped() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.run();
        List<ByteBuffer> rewritten = new ArrayList<>();
        // The first DATA from a reaches b with message 2 turned into a DROPPED marker (as a sender's overflow policy
        // will send it), with the marker's own checksum.
        h.filter = (from, to, frame) -> {
            if (!from.equals(A) || !rewritten.isEmpty() || frame.get(frame.position() + 2) != Frame.DATA) return true;
            rewritten.add(withDroppedMarker((Frame.Data) FrameCodec.decode(frame), 2));
            return false;
        };
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(rewritten).hasSize(1);
        h.filter = (from, to, frame) -> true;
        h.node("b").input(e -> e.onFrame(h.now, A, rewritten.get(0)));
        h.run();

        assertThat(h.node("b").payloads()).containsExactly("m0", "m2");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#2=DROPPED");
        assertThat(h.node("a").outcomes).containsExactly(Outcome.DROPPED);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        assertThat(h.node("b").engine.counters().protocolErrors()).isZero();
        assertThat(h.node("b").engine.counters().checksumMismatches()).isZero();
    }

    @Test
    void outcomeNoticesFiveAndSixReportTheirOutcomesToTheSender() {
        assertThat(Frame.OutcomeNotice.outcomeOf(Frame.OutcomeNotice.NO_SUCH_ENDPOINT))
                .isEqualTo(Outcome.NO_SUCH_ENDPOINT);
        assertThat(Frame.OutcomeNotice.outcomeOf(Frame.OutcomeNotice.DROPPED)).isEqualTo(Outcome.DROPPED);
        assertThat(Frame.OutcomeNotice.outcomeOf(Frame.OutcomeNotice.DEAD_LETTERED))
                .isEqualTo(Outcome.DEAD_LETTERED);
    }

    @Test
    void aHelloStatesNoCodecsUntilCompressionIsInstalledAndThePeerKeepsWhatItsHelloSaid() {
        EngineHarness h = new EngineHarness("a", "b");
        List<Frame.Hello> hellos = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (frame.get(frame.position() + 2) == Frame.HELLO) hellos.add((Frame.Hello) FrameCodec.decode(frame));
            return true;
        };
        h.connect("a", "b");
        h.run();
        assertThat(hellos).hasSize(2).allMatch(x -> x.codecs() == 0);
        assertThat(h.node("b").engine.peerCodecs(A)).isZero();

        ByteBuffer hello = ByteBuffer.allocate(128);
        FrameCodec.hello(hello, A, h.node("a").engine.epoch(), 99, Frame.Hello.LZ4 | Frame.Hello.SNAPPY);
        h.node("b").input(e -> e.onFrame(h.now, A, hello.flip()));
        assertThat(h.node("b").engine.peerCodecs(A)).isEqualTo(Frame.Hello.LZ4 | Frame.Hello.SNAPPY);
        h.disconnect("a", "b");
        assertThat(h.node("b").engine.peerCodecs(A))
                .as("what a HELLO says holds for its connection only")
                .isZero();
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").engine.peerCodecs(A)).isZero();
    }

    /** {@code d} encoded again with message {@code seq} replaced by a DROPPED marker. */
    private static ByteBuffer withDroppedMarker(Frame.Data d, long seq) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        int at = FrameCodec.beginData(b, d.lane(), d.senderEpoch(), d.firstSeq());
        for (int i = 0; i < d.messages().size(); i++) {
            Frame.Message m = d.messages().get(i);
            if (d.firstSeq() + i == seq) {
                long checksum = MessageChecksum.of(d.lane(), seq, m.expiresAtMillis(), Map.of(), new byte[0]);
                int flags = (m.flags() & Frame.Message.REDELIVERY) | Frame.Message.DROPPED;
                FrameCodec.message(b, flags, m.expiresAtMillis(), Map.of(), new byte[0], checksum);
            } else {
                FrameCodec.message(b, m.flags(), m.expiresAtMillis(), m.headers(), m.payload(), m.checksum());
            }
        }
        FrameCodec.endData(b, at, d.messages().size());
        return b.flip();
    }
}
