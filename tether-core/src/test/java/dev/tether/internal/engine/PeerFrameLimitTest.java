package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.spi.DeadLetter;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A frame limit of one peer ({@link Engine#onFrameLimit(NodeId, int)}: a composite's member that carries it) bounds
 * that peer's frames only. A message above it goes to that peer as an unsendable stand-in, which its receiver
 * dead-letters, while the same message goes as it is to a peer whose carrier allows it; raised again, the next one goes
 * as it is. When the limit drops under a message already transmitted (a failover to a member that allows less), the
 * stream stays in order and exactly once: a receiver that has the message drops the stand-in as a duplicate, one that
 * does not dead-letters it in its place and goes on with the next.
 */
class PeerFrameLimitTest {
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final String BIG = "x".repeat(2_000); // frames are 4,096 bytes in the harness
    private static final StreamKey AB = new StreamKey(B, "l");

    @Test
    void aPeersLimitBoundsItsFramesOnly() {
        EngineHarness h = new EngineHarness("a", "b", "c");
        h.connect("a", "b");
        h.connect("a", "c");
        h.node("a").input(e -> e.onFrameLimit(B, 1_000));
        h.node("a").send(B, "l", BIG);
        h.node("a").send(C, "l", BIG);
        h.node("a").send(B, "l", "small");
        h.run();

        assertThat(h.node("c").payloads()).as("c's carrier allows it").containsExactly(BIG);
        assertThat(h.node("b").payloads()).as("b's carrier does not").containsExactly("small");
        assertThat(deadLetterSeqs(h, "b")).containsExactly(1L);
        assertThat(unsendable(h)).singleElement().satisfies(e -> {
            assertThat(e.to()).isEqualTo(B);
            assertThat(e.reason()).contains("does not fit a DATA frame of 1000 bytes");
        });

        h.node("a").input(e -> e.onFrameLimit(B, 4_096)); // carried by a member that allows it again
        h.node("a").send(B, "l", BIG);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("small", BIG);
    }

    /** Delivered under the larger limit, acknowledgment lost, retransmitted under the smaller: processed once. */
    @Test
    void aMessageTheReceiverHasIsNotDeadLetteredWhenItsRetransmissionCannotGoAsItIs() {
        EngineHarness h = new EngineHarness("a", "b");
        h.fenceConnections = true;
        h.connect("a", "b");
        h.node("a").send(B, "l", "first"); // the stream is open
        h.run();
        h.filter = (from, to, frame) -> !from.equals(B); // b's acknowledgments are lost
        h.node("a").send(B, "l", BIG);
        h.run();
        assertThat(sizes(h)).containsExactly(5, BIG.length());

        int[] standIns = new int[1];
        h.filter = (from, to, frame) -> {
            if (to.equals(B) && contains(frame, FrameWriter.UNSENT)) standIns[0]++;
            return !from.equals(B);
        };
        h.node("a").input(e -> e.onFrameLimit(B, 1_000));
        for (int i = 0; i < 20 && standIns[0] == 0; i++) h.advance(100); // a retransmits: a stand-in now
        assertThat(standIns[0]).as("the retransmission went as a stand-in").isPositive();
        h.filter = (from, to, frame) -> true;
        h.node("a").send(B, "l", "after");
        h.run();
        for (int i = 0; i < 20 && h.node("a").acked.getOrDefault(AB, 0L) < 3; i++) h.advance(100);

        assertThat(sizes(h)).as("each once, in order").containsExactly(5, BIG.length(), 5);
        assertThat(deadLetterSeqs(h, "b")).as("the stand-in was a duplicate").isEmpty();
        assertThat(h.node("a").acked.get(AB)).as("all processed").isEqualTo(3);
        assertThat(h.node("a").outcomes).as("none settled otherwise").isEmpty();
    }

    /** Lost under the larger limit, retransmitted under the smaller: dead-lettered in its place, the next follows. */
    @Test
    void aMessageLostBeforeTheLimitDroppedIsDeadLetteredInItsPlaceAndTheStreamGoesOn() {
        EngineHarness h = new EngineHarness("a", "b");
        h.fenceConnections = true;
        h.connect("a", "b");
        h.node("a").send(B, "l", "first"); // the stream is open
        h.run();
        h.filter = (from, to, frame) -> !to.equals(B); // everything a sends b is lost
        h.node("a").send(B, "l", BIG);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("first");

        failoverToSmallerCarrier(h);
        h.node("a").send(B, "l", "after");
        h.run();
        for (int i = 0; i < 20 && h.node("a").acked.getOrDefault(AB, 0L) < 3; i++) h.advance(100);

        assertThat(h.node("b").payloads()).containsExactly("first", "after");
        assertThat(deadLetterSeqs(h, "b")).containsExactly(2L);
        assertThat(h.node("a").outcomes).containsExactly(Outcome.DEAD_LETTERED);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
    }

    /** As a composite fails over: the peer goes down, its new member's limit is reported, then it comes up. */
    private static void failoverToSmallerCarrier(EngineHarness h) {
        h.filter = (from, to, frame) -> true;
        h.disconnect("a", "b");
        h.node("a").input(e -> e.onFrameLimit(B, 1_000));
        h.connect("a", "b");
        h.run();
    }

    private static boolean contains(ByteBuffer frame, String ascii) {
        byte[] b = new byte[frame.remaining()];
        frame.duplicate().get(b);
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).contains(ascii);
    }

    /** The sizes of the payloads b's application got, in order. */
    private static List<Integer> sizes(EngineHarness h) {
        return h.node("b").payloads().stream().map(String::length).toList();
    }

    private static List<Long> deadLetterSeqs(EngineHarness h, String node) {
        return h.node(node).store.readDeadLetters(10).stream()
                .map(DeadLetter::seq)
                .toList();
    }

    private static List<TetherEvent.UnsendableMessage> unsendable(EngineHarness h) {
        return h.node("a").events.stream()
                .filter(e -> e instanceof TetherEvent.UnsendableMessage)
                .map(e -> (TetherEvent.UnsendableMessage) e)
                .toList();
    }
}
