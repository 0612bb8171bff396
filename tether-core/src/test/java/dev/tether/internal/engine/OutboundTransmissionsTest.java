package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What the pending view of management shows besides the stored message (docs/OPERATIONS.md, "Pending messages"): the
 * time the engine accepted each message, stored with it, and how often this engine transmitted it ({@link
 * OutboundQueries#transmissions}): once per DATA frame that carried it, retransmissions included, until it is
 * acknowledged; counted in memory, so a restarted engine starts again from 0.
 */
class OutboundTransmissionsTest {
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    private static boolean isData(ByteBuffer frame) {
        return frame.get(frame.position() + 2) == Frame.DATA; // after the magic and the version
    }

    @Test
    void eachTransmissionOfAnUnacknowledgedMessageCountsUntilItIsAcknowledged() {
        EngineHarness h = new EngineHarness("a", "b");
        OutboundQueries a = h.node("a").engine.outbound();
        long acceptedAt = h.now;
        h.node("a").send(B, "l", "m1");
        h.node("a").send(B, "l", "m2");
        h.run();
        assertThat(a.transmissions(AB, 1, 3)).containsExactly(0, 0, 0); // stored, b away: never transmitted
        assertThat(h.node("a").store.readOutbox(B, "l", 1, 10))
                .extracting(StoredMessage::acceptedAtMillis)
                .containsExactly(acceptedAt, acceptedAt);

        boolean[] lose = {true};
        h.filter = (from, to, frame) -> !(lose[0] && isData(frame)); // every DATA frame a sends is lost
        h.connect("a", "b");
        h.run();
        assertThat(a.transmissions(AB, 1, 2)).containsExactly(1, 1);
        for (int i = 0; i < 40 && a.transmissions(AB, 1, 1)[0] < 3; i++) h.advance(50); // retransmission timeouts
        int[] before = a.transmissions(AB, 1, 2);
        assertThat(before[0]).isGreaterThanOrEqualTo(3);
        assertThat(before[1]).isEqualTo(before[0]); // go-back-N: both went again each time

        lose[0] = false;
        for (int i = 0; i < 40 && a.unacked(AB) > 0; i++) h.advance(50);
        assertThat(h.node("b").payloads()).containsExactly("m1", "m2");
        assertThat(a.transmissions(AB, 1, 2)).containsExactly(0, 0); // acknowledged: no longer counted
        assertThat(a.transmissions(new StreamKey(B, "unknown"), 1, 1)).containsExactly(0);
    }

    @Test
    void aRestartedEngineCountsFromZeroAndKeepsTheStoredAcceptanceTime() {
        EngineHarness h = new EngineHarness("a", "b");
        long acceptedAt = h.now;
        h.node("a").send(B, "l", "m1");
        h.filter = (from, to, frame) -> !isData(frame);
        h.connect("a", "b");
        h.run();
        assertThat(h.node("a").engine.outbound().transmissions(AB, 1, 1)).containsExactly(1);

        h.advance(1_000);
        h.node("a").crash();
        assertThat(h.node("a").engine.outbound().transmissions(AB, 1, 1)).containsExactly(0);
        assertThat(h.node("a").store.readOutbox(B, "l", 1, 10))
                .singleElement()
                .extracting(StoredMessage::acceptedAtMillis)
                .isEqualTo(acceptedAt);
    }
}
