package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Mechanism E3: a sender withdraws a message (a cancelled call). Not handed out yet, the receiver settles it as
 * CANCELLED without ever delivering it, whether it is withdrawn before transmission (a marker goes instead) or
 * after (a CANCEL frame follows it); handed out, the receiver's application is told instead. Manual time, no
 * threads.
 */
class CancelTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");
    private static final StreamKey FROM_A = new StreamKey(A, "l");

    private static int frameType(ByteBuffer frame) {
        return frame.get(frame.position() + 2); // after the magic and the version
    }

    @Test
    void aMessageWithdrawnBeforeItWasTransmittedGoesAsAMarkerAndIsNeverDelivered() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run(); // stored, not transmitted: not connected yet
        h.node("a").input(e -> e.cancel(h.now, AB, 2));
        h.connect("a", "b");
        for (int i = 0; i < 10; i++) h.advance(20);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m2");
        assertThat(h.node("a").outcomes).containsExactly(Outcome.CANCELLED);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        assertThat(h.node("b").cancelRequests).isEmpty();
    }

    @Test
    void aCancelFrameSkipsATransmittedMessageThatWasNotHandedOut() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").poison.add(1L); // the first message fails: the rest of its run is not handed out
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0"); // backing off; m1, m2 buffered
        h.node("b").poison.clear();
        int[] cancels = new int[1];
        h.filter = (from, to, frame) -> {
            if (frameType(frame) == Frame.CANCEL) cancels[0]++;
            return true;
        };

        h.node("a").input(e -> e.cancel(h.now, AB, 3));
        h.run(); // the withdrawal's mark is stored, then the CANCEL goes, before b's retry hands the run out again
        for (int i = 0; i < 10; i++) h.advance(20);

        assertThat(cancels[0]).isEqualTo(1);
        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m1");
        assertThat(h.node("a").outcomes).containsExactly(Outcome.CANCELLED);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
    }

    @Test
    void aCancelOfAMessageHandedOutTellsTheApplicationWhichSkipsItIfNotStarted() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").hold.add(2L);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run(); // the run with m0..m2 is out, held by the application

        h.node("a").input(e -> e.cancel(h.now, AB, 2));
        h.run();
        assertThat(h.node("b").cancelRequests).containsExactly(2L);
        h.node("b").release();
        for (int i = 0; i < 10; i++) h.advance(20);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m2");
        assertThat(h.node("a").outcomes).containsExactly(Outcome.CANCELLED);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
    }

    @Test
    void aCancelThatOvertakesItsMessageIsAppliedWhenTheMessageArrives() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        boolean[] dropData = {true};
        h.filter = (from, to, frame) -> !(dropData[0] && frameType(frame) == Frame.DATA);
        h.node("a").send(B, "l", "m0");
        h.run(); // transmitted, lost
        // A CANCEL reaches b before the message (the transport may reorder frames); a still sends the full message.
        h.node("b").input(e -> e.onFrame(h.now, A, cancelFrame(h, 1)));
        dropData[0] = false;
        for (int i = 0; i < 40; i++) h.advance(50);

        assertThat(h.node("b").payloads()).isEmpty();
        assertThat(h.node("a").outcomes).containsExactly(Outcome.CANCELLED);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(1);
    }

    @Test
    void aCancelAfterTheMessageWasProcessedChangesNothing() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, "l", "m0");
        for (int i = 0; i < 5; i++) h.advance(20);
        h.node("a").input(e -> e.cancel(h.now, AB, 1));
        h.node("b").input(e -> e.onFrame(h.now, A, cancelFrame(h, 1)));
        for (int i = 0; i < 5; i++) h.advance(20);

        assertThat(h.node("b").payloads()).containsExactly("m0");
        assertThat(h.node("a").outcomes).isEmpty();
        assertThat(h.node("b").cancelRequests).isEmpty();
        assertThat(h.node("b").engine.streamStats())
                .singleElement()
                .satisfies(s -> assertThat(s.delivered()).isEqualTo(1));
    }

    @Test
    void aVolatileMessageIsWithdrawnLikeADurableOneItsCancelNamingTheBootId() {
        String lane = Lanes.volatileLane("l");
        StreamKey key = new StreamKey(B, lane);
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").poison.add(1L); // the first message fails: the rest of its run is not handed out
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, lane, "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0");
        h.node("b").poison.clear();
        int[] cancels = new int[1];
        h.filter = (from, to, frame) -> {
            if (frameType(frame) == Frame.CANCEL) cancels[0]++;
            return true;
        };

        // The stream's sender epoch is a's boot id, not its store epoch: a CANCEL naming the store epoch is stale.
        h.node("a").input(e -> e.cancel(h.now, key, 3));
        for (int i = 0; i < 10; i++) h.advance(20);

        assertThat(cancels[0]).isEqualTo(1);
        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m1");
        assertThat(h.node("a").outcomesBySeq).containsExactly(lane + "#3=CANCELLED");
        assertThat(h.node("a").acked.get(key)).isEqualTo(3);
    }

    @Test
    void aVolatileMessageWithdrawnBeforeItWasTransmittedGoesAsAMarker() {
        String lane = Lanes.volatileLane("l");
        StreamKey key = new StreamKey(B, lane);
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, lane, "m" + i);
        h.run(); // accepted at once, not transmitted: not connected yet
        h.node("a").input(e -> e.cancel(h.now, key, 2));
        h.connect("a", "b");
        for (int i = 0; i < 10; i++) h.advance(20);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m2");
        assertThat(h.node("a").outcomesBySeq).containsExactly(lane + "#2=CANCELLED");
        assertThat(h.node("a").acked.get(key)).isEqualTo(3);
    }

    @Test
    void theCancelledFlagOfAMarkerIsCoveredByItsChecksum() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a").send(B, "l", "m0");
        h.node("a").send(B, "l", "m1");
        h.run();
        h.node("a").input(e -> e.cancel(h.now, AB, 1));
        // Clearing the flag on the way would turn the marker into an empty message for the application.
        boolean[] done = {false};
        h.filter = (from, to, frame) -> {
            if (!done[0] && from.equals(A) && frameType(frame) == Frame.DATA) {
                done[0] = true;
                int flags = 3 + 1 + "l".length() + 8 + 8 + 4; // header, lane, epoch, firstSeq, count
                assertThat(frame.get(flags) & Frame.Message.CANCELLED).isNotZero();
                frame.put(flags, (byte) (frame.get(flags) ^ Frame.Message.CANCELLED));
            }
            return true;
        };
        h.connect("a", "b");
        for (int i = 0; i < 10; i++) h.advance(200);

        assertThat(done[0]).isTrue();
        assertThat(h.node("b").engine.counters().checksumMismatches()).isEqualTo(1);
        assertThat(h.node("b").payloads()).containsExactly("m1");
        assertThat(h.node("a").outcomes).containsExactly(Outcome.CANCELLED);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(2);
    }

    /**
     * docs/PROTOCOL.md: at most {@value InStream#MAX_CANCELLED_AHEAD} CANCELs for messages not received yet are kept per
     * stream; later ones are dropped (withdrawal is best effort), so a flood of them cannot grow the receiver's memory,
     * and each dropped one is counted as a protocol error and reported (rate-limited); a repeat of a kept one is not.
     */
    @Test
    void atMost1024EarlyCancelsAreKeptPerStream() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, "l", "m1");
        settle(h, 1); // b knows the stream
        int ahead = 1_000;
        for (long seq = ahead + 1; seq <= ahead + 2_000; seq++) {
            long s = seq;
            h.node("b").input(e -> e.onFrame(h.now, A, cancelFrame(h, s)));
        }
        h.node("b").input(e -> e.onFrame(h.now, A, cancelFrame(h, ahead + 1))); // a repeat of a kept one
        int kept = InStream.MAX_CANCELLED_AHEAD;
        assertThat(h.node("b").engine.counters().protocolErrors())
                .as("CANCELs dropped")
                .isEqualTo(2_000 - kept);
        assertThat(h.node("b").events)
                .filteredOn(e -> e instanceof TetherEvent.ProtocolError)
                .first()
                .asString()
                .contains("CANCEL of message " + (ahead + kept + 1) + " on l dropped");
        int sent = ahead + kept + 10;
        for (int seq = 2; seq <= sent; seq++) {
            h.node("a").send(B, "l", "m" + seq);
            if (seq % 500 == 0) settle(h, seq); // within maxQueuedPerStream (1,000)
        }
        settle(h, sent);

        // Messages ahead+1 .. ahead+1024 were withdrawn by the kept CANCELs; those after them were delivered.
        List<String> expected = new ArrayList<>();
        for (int seq = 1; seq <= sent; seq++) {
            if (seq <= ahead || seq > ahead + kept) expected.add("m" + seq);
        }
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(expected);
        assertThat(h.node("a").outcomes).hasSize(kept).containsOnly(Outcome.CANCELLED);
    }

    /**
     * A run of the sender's earlier incarnation is still out when a CANCEL of the new one names a number that run
     * covers: the new incarnation's message is marked and settled as cancelled, not taken for one handed out (the
     * application was told to skip a message of the old run under the same number, and the new one was not withdrawn).
     */
    @Test
    void aCancelOfANewIncarnationIsNotTakenForTheOldRunStillOut() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").hold.add(1L);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "old" + i);
        h.run(); // the run with old0..old2 is out, held by the application
        h.disconnect("a", "b");
        h.node("a").wipe(); // a starts over on a new store: a new incarnation, numbering from 1 again
        h.connect("a", "b");
        h.node("a").send(B, "l", "new0");
        h.run(); // b restarted the stream for a's new incarnation and buffers new0 (seq 1) behind the old run

        h.node("b").input(e -> e.onFrame(h.now, A, cancelFrame(h, 1)));
        h.run();
        assertThat(h.node("b").cancelRequests)
                .as("nothing of the new incarnation was handed out")
                .isEmpty();
        h.node("b").release();
        for (int i = 0; i < 20; i++) h.advance(20);

        assertThat(h.node("b").payloads()).doesNotContain("new0");
        assertThat(h.node("a").outcomes).containsExactly(Outcome.CANCELLED);
    }

    /** Advances time until a's stream to b is acknowledged up to {@code seq}. */
    private static void settle(EngineHarness h, long seq) {
        for (int i = 0; i < 1_000 && h.node("a").acked.getOrDefault(AB, 0L) < seq; i++) h.advance(20);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(seq);
    }

    /** A CANCEL of message {@code seq} from a's current incarnation. */
    private static ByteBuffer cancelFrame(EngineHarness h, long seq) {
        ByteBuffer b = ByteBuffer.allocate(256);
        FrameCodec.cancel(b, FROM_A.lane(), h.node("a").engine.epoch(), seq);
        return b.flip();
    }
}
