package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The message checksum in the engine alone: a message changed on the wire is never delivered and heals with the
 * next transmission; one changed in the sender's store is never delivered, goes to the receiver's dead-letter queue
 * and the stream continues; both are counted and reported.
 */
class ChecksumTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final String LANE = "l";
    /** Where the first message's flags byte sits in a DATA frame on lane "l": header, lane, epoch, firstSeq, count. */
    private static final int FIRST_FLAGS = 3 + 1 + LANE.length() + 8 + 8 + 4;

    private static List<String> numbered(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add("m" + i);
        return l;
    }

    /** Lets frames through, changing one byte (XOR {@code mask} at {@code offset(frame)}) of the first DATA a→b. */
    private static EngineHarness.FrameFilter damageFirstData(
            java.util.function.ToIntFunction<ByteBuffer> offset, int mask) {
        boolean[] done = {false};
        return (from, to, frame) -> {
            if (!done[0] && from.equals(A) && frame.get(2) == Frame.DATA) {
                done[0] = true;
                int at = offset.applyAsInt(frame);
                frame.put(at, (byte) (frame.get(at) ^ mask));
            }
            return true;
        };
    }

    private static List<TetherEvent.ChecksumMismatch> mismatches(EngineHarness.Node n) {
        return n.events.stream()
                .filter(TetherEvent.ChecksumMismatch.class::isInstance)
                .map(TetherEvent.ChecksumMismatch.class::cast)
                .toList();
    }

    /**
     * A send whose checksum the caller computed without its sequence number (the runtime's sends, on the sender's
     * thread) is stored with that checksum finished with its number: the engine does not read the message again. The
     * second send carries the value of another payload on purpose, to show that it is the caller's value that is
     * finished, not one computed from the message.
     */
    @Test
    void aChecksumComputedWithoutTheSequenceNumberIsFinishedWhenTheMessageIsNumbered() {
        EngineHarness h = new EngineHarness("a", "b");
        Map<String, String> headers = Map.of(":f", "agent-1");
        byte[] payload = {1, 2, 3};
        long own = MessageChecksum.withoutSeq(LANE, 0, headers, payload);
        long other = MessageChecksum.withoutSeq(LANE, 0, headers, new byte[] {9});
        h.node("a").input(e -> e.send(0, 1, null, B, LANE, headers, payload, 0, -1, own));
        h.node("a").input(e -> e.send(0, 2, null, B, LANE, headers, payload, 0, -1, other));
        h.node("a").input(e -> e.send(0, 3, null, B, LANE, headers, payload, 0, -1, 0));
        h.run();

        assertThat(h.node("a").store.readOutbox(B, LANE, 1, 10))
                .extracting(StoredMessage::checksum)
                .containsExactly(
                        MessageChecksum.of(LANE, 1, 0, headers, payload),
                        MessageChecksum.withSeq(other, 2),
                        MessageChecksum.of(LANE, 3, 0, headers, payload));
    }

    @Test
    void aPayloadByteChangedOnTheWireIsDroppedReportedAndHealsByRetransmission() {
        EngineHarness h = new EngineHarness("a", "b");
        // The last payload byte of the frame's last message: just before the 4-byte checksum.
        h.filter = damageFirstData(f -> f.limit() - 5, 0x01);
        h.connect("a", "b");
        for (int i = 0; i < 5; i++) h.node("a").send(B, LANE, "m" + i);
        h.run();
        h.advance(1_000); // the gap is asked for, or the sender's timer goes back
        h.run();

        assertThat(h.node("b").payloads()).containsExactlyElementsOf(numbered(5));
        assertThat(h.node("b").engine.counters().checksumMismatches()).isEqualTo(1);
        assertThat(mismatches(h.node("b"))).singleElement().satisfies(m -> {
            assertThat(m.peer()).isEqualTo(A);
            assertThat(m.lane()).isEqualTo(LANE);
            assertThat(m.where()).isEqualTo(TetherEvent.ChecksumMismatch.Where.TRANSIT);
        });
        assertThat(h.node("b").store.readDeadLetters(10)).isEmpty();
        assertThat(h.node("a").engine.counters().checksumMismatches()).isZero();
    }

    @Test
    void aFlagChangedOnTheWireIsDetectedToo() {
        // REDELIVERY set on a first transmission, or CORRUPT set on a sound message: either would mislead the receiver.
        for (int mask : new int[] {Frame.Message.REDELIVERY, Frame.Message.CORRUPT}) {
            EngineHarness h = new EngineHarness("a", "b");
            h.filter = damageFirstData(f -> FIRST_FLAGS, mask);
            h.connect("a", "b");
            h.node("a").send(B, LANE, "m0");
            h.run();
            h.advance(1_000);
            h.run();
            assertThat(h.node("b").payloads()).as("mask %d", mask).containsExactly("m0");
            assertThat(h.node("b").engine.counters().checksumMismatches())
                    .as("mask %d", mask)
                    .isEqualTo(1);
            assertThat(h.node("b").store.readDeadLetters(10))
                    .as("mask %d", mask)
                    .isEmpty();
        }
    }

    @Test
    void aMessageChangedInTheSendersStoreIsDeadLetteredAtTheReceiverAndTheStreamContinues() {
        for (FailurePolicy policy : FailurePolicy.values()) {
            EngineHarness h = new EngineHarness("a", "b");
            h.failurePolicy = policy;
            h.node("b").crash(); // an empty store: b starts again, configured with the policy
            for (int i = 0; i < 3; i++) h.node("a").send(B, LANE, "m" + i);
            h.run();
            h.node("a").crash();
            StoredMessage stored = h.node("a").store.readOutbox(B, LANE, 2, 1).get(0);
            stored.payload()[1] ^= 0x01; // the "disk" changed under the store
            assertThat(stored.intact()).isFalse();

            h.connect("a", "b");
            h.run();
            h.node("a").send(B, LANE, "m3");
            h.run();

            assertThat(h.node("b").payloads()).as("%s", policy).containsExactly("m0", "m2", "m3");
            List<DeadLetter> dead = h.node("b").store.readDeadLetters(10);
            assertThat(dead).as("%s", policy).singleElement().satisfies(d -> {
                assertThat(d.seq()).isEqualTo(2);
                assertThat(d.reason()).isEqualTo(Receivers.CORRUPT);
                assertThat(new String(d.payload()))
                        .as("kept as read, for inspection")
                        .isEqualTo("m0"); // "m1" changed
            });
            assertThat(h.node("a").engine.counters().checksumMismatches()).isEqualTo(1);
            assertThat(mismatches(h.node("a"))).singleElement().satisfies(m -> {
                assertThat(m.seq()).isEqualTo(2);
                assertThat(m.where()).isEqualTo(TetherEvent.ChecksumMismatch.Where.STORE);
            });
            assertThat(h.node("b").engine.counters().checksumMismatches())
                    .as("the wire was sound")
                    .isZero();
            assertThat(h.node("a").store.readOutbox(B, LANE, 1, 10))
                    .as("settled and trimmed")
                    .isEmpty();
        }
    }

    @Test
    void aMessageChangedInTheSendersStoreIsDeadLetteredEvenIfItsCallWasWithdrawn() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, LANE, "m" + i);
        h.run();
        h.node("a").crash();
        h.node("a").store.readOutbox(B, LANE, 2, 1).get(0).payload()[1] ^= 0x01; // the "disk" changed
        // Withdrawn before and after transmission: neither the marker nor the CANCEL frame replaces the damaged copy.
        h.node("a").input(e -> e.cancel(h.now, new StreamKey(B, LANE), 2));
        h.node("b").poison.add(1L); // the first message fails: the damaged one waits, buffered, not handed out
        h.connect("a", "b");
        h.run();
        h.node("b").input(e -> e.onFrame(h.now, A, cancel(h, 2)));
        h.node("b").poison.clear();
        for (int i = 0; i < 10; i++) h.advance(200);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m2");
        assertThat(h.node("b").store.readDeadLetters(10)).singleElement().satisfies(d -> {
            assertThat(d.seq()).isEqualTo(2);
            assertThat(d.reason()).isEqualTo(Receivers.CORRUPT);
        });
        assertThat(h.node("a").outcomesBySeq).containsExactly(LANE + "#2=DEAD_LETTERED");
        assertThat(h.node("a").engine.counters().checksumMismatches()).isEqualTo(1);
        assertThat(h.node("b").engine.counters().checksumMismatches()).isZero();
    }

    private static ByteBuffer cancel(EngineHarness h, long seq) {
        ByteBuffer b = ByteBuffer.allocate(256);
        FrameCodec.cancel(b, LANE, h.node("a").engine.epoch(), seq);
        return b.flip();
    }

    @Test
    void aRowStoredBeforeChecksumsIsDeliveredUnverified() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a")
                .store
                .commit(new WriteBatch()
                        .append(new StoredMessage(
                                B, LANE, 1, 0, Map.of(), "old".getBytes(), MessageChecksum.UNCHECKED)));
        h.node("a").crash(); // starts from the store, which now holds the old row
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("old");
        assertThat(h.node("a").engine.counters().checksumMismatches()).isZero();
        assertThat(h.node("b").engine.counters().checksumMismatches()).isZero();
    }
}
