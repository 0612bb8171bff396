package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.spi.DeadLetter;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stored message that cannot go into a DATA frame of its connection, even alone (larger than the frame limit:
 * stored before the limit was lowered, or by a route of an older build), never reaches the wire as it is: it goes as a
 * damaged message whose header {@code :x} says why, the receiver dead-letters it, and the stream goes on. Before, the
 * writer overflowed its buffer on the node thread and the stream stopped for good. The codec refuses a length its u16
 * fields cannot hold instead of writing it truncated. The sending node raises {@link TetherEvent.UnsendableMessage} for
 * it, once (not at its retransmissions), counts every one, and rate-limits the events as it does other failures.
 */
class UnsendableMessageTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    @Test
    void aRoutedMessageLargerThanTheFrameIsDeadLetteredAtTheReceiverAndTheStreamGoesOn() {
        EngineHarness h = new EngineHarness("a", "b", "c"); // frames of 4,096 bytes
        h.node("b").routes = (key, m) -> {
            byte[] payload = new String(m.payload()).equals("big") ? new byte[5000] : m.payload();
            return List.of(new Effect(C, "tap", Map.of("n", "1"), payload, 0));
        };
        h.connect("a", "b");
        h.connect("b", "c");
        h.node("a").send(B, "l", "big");
        h.node("a").send(B, "l", "small");
        h.run();
        for (int i = 0; i < 20; i++) h.advance(50);

        assertThat(h.node("c").payloads()).as("what c's application got").containsExactly("small");
        List<DeadLetter> dead = h.node("c").store.readDeadLetters(10);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).seq()).isEqualTo(1);
        assertThat(dead.get(0).payload()).isEmpty();
        assertThat(dead.get(0).headers().get(FrameWriter.UNSENT))
                .isEqualTo("message of " + FrameCodec.messageSize(Map.of("n", "1"), 5000)
                        + " encoded bytes does not fit a DATA frame of 4096 bytes (frame limit)");
        assertThat(dead.get(0).reason()).contains("header ':x' says why");

        // The sending node (b, whose route made the copy) says so; a and c have nothing to say.
        assertThat(unsendable(h, "b"))
                .containsExactly(new TetherEvent.UnsendableMessage(
                        C, "tap", 1, dead.get(0).headers().get(FrameWriter.UNSENT)));
        assertThat(h.node("b").engine.counters().unsendableMessages()).isEqualTo(1);
        assertThat(unsendable(h, "a")).isEmpty();
        assertThat(unsendable(h, "c")).isEmpty();
        assertThat(h.node("c").engine.counters().unsendableMessages()).isZero();
    }

    private static List<TetherEvent.UnsendableMessage> unsendable(EngineHarness h, String node) {
        return h.node(node).events.stream()
                .filter(e -> e instanceof TetherEvent.UnsendableMessage)
                .map(e -> (TetherEvent.UnsendableMessage) e)
                .toList();
    }

    private static int frameType(ByteBuffer frame) {
        return frame.get(frame.position() + 2); // after the magic and the version
    }

    @Test
    void theStandInIsReportedAtItsFirstTransmissionNotAtItsRetransmissions() {
        EngineHarness h = new EngineHarness("a", "b", "c");
        h.node("b").routes = (key, m) -> List.of(new Effect(C, "tap", Map.of(), new byte[5000], 0));
        int[] dataToC = new int[1];
        h.filter = (from, to, frame) -> !(to.equals(C) && frameType(frame) == Frame.DATA && dataToC[0]++ < 2);
        h.connect("a", "b");
        h.connect("b", "c");
        h.node("a").send(B, "l", "x");
        h.run();
        for (int i = 0; i < 40 && h.node("c").store.readDeadLetters(10).isEmpty(); i++) h.advance(100);

        assertThat(dataToC[0])
                .as("DATA frames b sent c: two lost, then the one that arrived")
                .isEqualTo(3);
        assertThat(h.node("c").store.readDeadLetters(10)).hasSize(1);
        assertThat(unsendable(h, "b")).singleElement().satisfies(e -> {
            assertThat(e.seq()).isEqualTo(1);
            assertThat(e.suppressed()).isZero();
        });
        assertThat(h.node("b").engine.counters().unsendableMessages()).isEqualTo(1);
    }

    @Test
    void everyUnsendableMessageIsCountedAndTheEventsAreRateLimited() {
        EngineHarness h = new EngineHarness("a", "b", "c");
        h.node("b").routes = (key, m) -> List.of(new Effect(C, "tap", Map.of(), new byte[5000], 0));
        h.connect("a", "b");
        h.connect("b", "c");
        int sent = EventThrottle.BURST + 15;
        for (int i = 0; i < sent; i++) h.node("a").send(B, "l", "x" + i);
        h.run();
        for (int i = 0; i < 40 && h.node("c").store.readDeadLetters(100).size() < sent; i++) h.advance(100);

        assertThat(h.node("c").store.readDeadLetters(100)).hasSize(sent);
        h.advance(1000); // the held-back event is reported once the bucket has a token
        assertThat(h.node("b").engine.counters().unsendableMessages()).isEqualTo(sent);
        List<TetherEvent.UnsendableMessage> events = unsendable(h, "b");
        assertThat(events.size()).isGreaterThan(EventThrottle.BURST).isLessThan(sent);
        assertThat(events.stream().mapToLong(e -> e.suppressed() + 1).sum())
                .as("events and the occurrences they held back")
                .isEqualTo(sent);
    }

    @Test
    void theCodecRefusesAHeaderOrHeaderCountItsLengthsCannotHold() {
        ByteBuffer b = ByteBuffer.allocate(200_000);
        Map<String, String> longValue = Map.of(":r", "x".repeat(0x10000));
        assertThat(FrameCodec.encodable(longValue)).isFalse();
        assertThat(FrameCodec.encodable(Map.of(":r", "x".repeat(0xffff)))).isTrue();
        assertThatThrownBy(() -> FrameCodec.message(b, 0, 0, longValue, new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536 bytes");
        Map<String, String> longName = Map.of("é".repeat(0x8000), "v"); // 65,536 UTF-8 bytes in 32,768 chars
        assertThat(FrameCodec.encodable(longName)).isFalse();
        assertThatThrownBy(() -> FrameCodec.message(b.clear(), 0, 0, longName, new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
