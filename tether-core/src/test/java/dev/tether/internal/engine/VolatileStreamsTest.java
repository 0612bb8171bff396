package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.VolatileQueueFullException;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Volatile streams (E2): lanes starting with {@code _v.} are kept in memory only on both sides, ordered, and never
 * delivered twice: when the receiver's process restarts (a new boot id in its HELLO), the sender settles what it had
 * transmitted and not seen acknowledged as lost instead of resending it. Driven by hand, no waiting.
 */
class VolatileStreamsTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final String LANE = Lanes.volatileLane("l");
    private static final StreamKey AB = new StreamKey(B, LANE);

    private static boolean frameType(java.nio.ByteBuffer frame, byte type) {
        return frame.get(frame.position() + 2) == type;
    }

    /** No batch of {@code n} ever held anything of a volatile stream. */
    private static void assertNothingVolatileStored(EngineHarness.Node n) {
        for (WriteBatch w : n.batches) {
            assertThat(w.appends()).extracting(StoredMessage::lane).noneMatch(Lanes::isVolatile);
            assertThat(w.cursors()).noneMatch(c -> Lanes.isVolatile(c.lane()));
            assertThat(w.trims()).noneMatch(t -> Lanes.isVolatile(t.lane()));
        }
    }

    @Test
    void volatileMessagesAndTheirRepliesAreDeliveredInOrderAndNothingOfThemIsStored() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").replies = (key, m) ->
                new Effect(key.peer(), Lanes.VOLATILE_REPLY, Map.of(), ("re:" + new String(m.payload())).getBytes(), 0);
        h.connect("a", "b");
        for (int i = 0; i < 30; i++) {
            h.node("a").send(B, LANE, "m" + i);
            if (i % 4 == 0) h.run();
        }
        h.run();
        assertThat(h.node("b").payloads()).hasSize(30).first().isEqualTo("m0");
        assertThat(h.node("b").delivered)
                .extracting(InboundMessage::seq)
                .isSorted()
                .doesNotHaveDuplicates();
        assertThat(h.node("a").payloads()).hasSize(30).last().isEqualTo("re:m29");
        assertThat(h.node("a").acked.get(AB)).isEqualTo(30);
        assertThat(h.node("a").accepted).hasSize(30); // accepted at once, with no store batch
        assertNothingVolatileStored(h.node("a"));
        assertNothingVolatileStored(h.node("b"));
    }

    @Test
    void aReceiverRestartLosesWhatWasTransmittedUnacknowledgedAndNeverDeliversItAgain() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, LANE, "m1");
        h.run(); // opened and acknowledged
        h.filter = (from, to, f) -> !(from.equals(B) && frameType(f, Frame.ACK)); // b's acks are lost
        h.node("a").send(B, LANE, "m2");
        h.node("a").send(B, LANE, "m3");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m1", "m2", "m3"); // processed, but a does not know
        h.disconnect("a", "b");
        h.node("a").send(B, LANE, "m4"); // never transmitted: not lost, goes to b's next process
        h.node("b").crash();
        h.filter = (from, to, f) -> true;
        h.connect("a", "b");
        h.run();
        for (int i = 0; i < 10; i++) h.advance(250); // retransmission timers would resend m2 and m3 if they were due
        assertThat(h.node("b").payloads()).containsExactly("m1", "m2", "m3", "m4");
        assertThat(h.node("a").outcomesBySeq).containsExactly(LANE + "#2=LOST", LANE + "#3=LOST");
        assertThat(h.node("a").volatileLost).containsExactly(AB + "<=3");
        assertThat(h.node("a").events).contains(new TetherEvent.VolatileLost(B, LANE, 2, 3));
        assertThat(h.node("a").acked.get(AB)).isEqualTo(4);
        assertNothingVolatileStored(h.node("b"));
    }

    @Test
    void aVolatileStreamWaitsForThePeersHelloOnEachConnectionSoALostHelloCannotHideARestart() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, LANE, "m0");
        h.run(); // opened and acknowledged
        h.filter = (from, to, f) -> !(from.equals(B) && frameType(f, Frame.ACK));
        h.node("a").send(B, LANE, "m1");
        h.run(); // delivered, its ack lost
        h.disconnect("a", "b");
        h.node("b").crash();
        // b's next process says HELLO, and it is lost: without its boot id a must not open, or b's fresh cursor would
        // take m1 again.
        h.filter = (from, to, f) -> !(from.equals(B) && frameType(f, Frame.HELLO));
        h.connect("a", "b");
        h.run();
        h.advance(1_000);
        assertThat(h.node("a").volatileLost).isEmpty();
        assertThat(h.node("b").payloads()).containsExactly("m0", "m1");
        h.filter = (from, to, f) -> true;
        h.advance(5_000); // b repeats its HELLO with its next ping
        h.node("a").send(B, LANE, "m2");
        h.run();
        assertThat(h.node("a").volatileLost).containsExactly(AB + "<=2");
        assertThat(h.node("a").outcomesBySeq).containsExactly(LANE + "#2=LOST");
        assertThat(h.node("b").payloads()).containsExactly("m0", "m1", "m2");
    }

    @Test
    void aSenderRestartStartsTheReceiversVolatileCursorAfreshInsteadOfDroppingItsMessagesAsDuplicates() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        for (int i = 1; i <= 3; i++) h.node("a").send(B, LANE, "m" + i);
        h.run();
        h.disconnect("a", "b");
        h.node("a").crash(); // its volatile streams are gone with it
        h.connect("a", "b");
        h.node("a").send(B, LANE, "n1");
        h.node("a").send(B, LANE, "n2");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m1", "m2", "m3", "n1", "n2");
        assertThat(h.node("a").accepted.values()).extracting(id -> id.seq()).contains(1L, 2L);
        assertNothingVolatileStored(h.node("a"));
    }

    @Test
    void volatileSendsBeyondTheMemoryLimitAreRefusedUntilAcknowledgmentsFreeIt() {
        EngineHarness h = new EngineHarness("a", "b");
        int one = FrameCodec.messageSize(Map.of(), 100);
        h.maxVolatileBytes = 2L * one;
        h.node("a").crash(); // a process with the small limit
        long t1 = h.node("a").send(B, LANE, "x".repeat(100));
        long t2 = h.node("a").send(B, LANE, "y".repeat(100));
        long t3 = h.node("a").send(B, LANE, "z".repeat(100)); // b is not connected: nothing is acknowledged
        assertThat(h.node("a").accepted).containsKeys(t1, t2);
        assertThat(h.node("a").rejected.get(t3))
                .isInstanceOf(VolatileQueueFullException.class)
                .hasMessageContaining("maxVolatileBytes " + 2L * one);
        h.connect("a", "b");
        h.run();
        long t4 = h.node("a").send(B, LANE, "w".repeat(100));
        h.run();
        assertThat(h.node("a").accepted).containsKey(t4);
        assertThat(h.node("b").payloads()).hasSize(3);
    }

    @Test
    void aVolatileMessageThatFailsTooOftenIsReportedAsDeadLetteredButNeverStored() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").poison.add(1L);
        h.connect("a", "b");
        h.node("a").send(B, LANE, "bad");
        h.node("a").send(B, LANE, "good");
        for (int i = 0; i < 10; i++) h.advance(20); // three attempts, 10 ms apart
        assertThat(h.node("b").events).anySatisfy(e -> assertThat(e).isInstanceOf(TetherEvent.DeadLettered.class));
        assertThat(h.node("b").payloads()).containsExactly("bad", "bad", "bad", "good");
        assertThat(h.node("a").outcomesBySeq).containsExactly(LANE + "#1=DEAD_LETTERED");
        for (WriteBatch w : h.node("b").batches) assertThat(w.deadLetters()).isEmpty();
        assertNothingVolatileStored(h.node("b"));
    }

    @Test
    void aVolatileSettlementCannotCarryADurableEffect() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").replies = (key, m) -> new Effect(key.peer(), Lanes.REPLY, Map.of(), new byte[0], 0);
        h.connect("a", "b");
        h.node("a").send(B, LANE, "m1");
        assertThatThrownBy(h::run)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("volatile stream's effects go on volatile lanes");
    }

    /**
     * Seeded random runs: frames dropped (HELLO included), receiver crashes and reconnects at random points. A
     * volatile message is never handed out twice, handed out messages keep their send order, and once the network
     * heals every message is either acknowledged (and was handed out exactly once) or settled as lost.
     */
    @Test
    void underRandomLossAndReceiverCrashesVolatileMessagesAreHandledAtMostOnceAndInOrder() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("VolatileStreamsTest seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        for (int run = 0; run < 300; run++) randomRun(seed + run);
    }

    private static void randomRun(long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        EngineHarness h = new EngineHarness("a", "b");
        h.fenceConnections = true;
        h.filter = (from, to, f) -> rnd.nextDouble() >= 0.2;
        h.connect("a", "b");
        List<Long> tokens = new java.util.ArrayList<>();
        for (int step = 0; step < 80; step++) {
            double x = rnd.nextDouble();
            if (x < 0.5) {
                tokens.add(h.node("a").send(B, LANE, "m" + tokens.size()));
            } else if (x < 0.85) {
                h.advance(1 + rnd.nextInt(300));
            } else if (x < 0.93) {
                h.disconnect("a", "b");
                h.node("b").crash();
                h.connect("a", "b");
            } else {
                h.disconnect("a", "b");
                h.connect("a", "b");
            }
        }
        h.filter = (from, to, f) -> true;
        for (int i = 0; i < 40; i++) h.advance(500); // heals; HELLO is repeated with the pings
        String at = "seed " + seed;
        List<String> handed = h.node("b").payloads();
        assertThat(new java.util.HashSet<>(handed)).as(at + ": never twice").hasSize(handed.size());
        List<Integer> order =
                handed.stream().map(p -> Integer.parseInt(p.substring(1))).toList();
        assertThat(order).as(at + ": in send order").isSorted();
        long acked = h.node("a").acked.getOrDefault(AB, 0L);
        for (int i = 0; i < tokens.size(); i++) {
            long seq = h.node("a").accepted.get(tokens.get(i)).seq();
            boolean lost = h.node("a").outcomesBySeq.contains(LANE + "#" + seq + "=LOST");
            assertThat(lost || seq <= acked)
                    .as(at + ": m" + i + " acknowledged or lost")
                    .isTrue();
            if (!lost)
                assertThat(handed)
                        .as(at + ": m" + i + " acknowledged, so handed out")
                        .contains("m" + i);
        }
    }

    @Test
    void durableStreamsAreUntouchedByAPeerRestart() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.filter = (from, to, f) -> !(from.equals(B) && frameType(f, Frame.ACK));
        h.node("a").send(B, "durable", "d1");
        h.run();
        h.disconnect("a", "b");
        h.node("b").crash(); // its cursor was committed: d1 is not delivered again, and not lost
        h.filter = (from, to, f) -> true;
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("d1");
        assertThat(h.node("a").outcomesBySeq).isEmpty();
        assertThat(h.node("a").acked.get(new StreamKey(B, "durable"))).isEqualTo(1);
        assertThat(List.copyOf(h.node("a").volatileLost)).isEmpty();
    }

    /**
     * An ACK from the receiver that comes before its HELLO on a new connection must not open a volatile stream:
     * {@link Transmitter#open} refuses to transmit on it until the HELLO, and the HELLO pumps only streams still to
     * be opened, so a stream opened by that ACK would hold its queued messages until the next send.
     */
    @Test
    void anAckBeforeTheReceiversHelloLeavesNoQueuedVolatileMessageStalled() {
        EngineHarness h = new EngineHarness("a", "b");
        List<java.nio.ByteBuffer> acks = new java.util.ArrayList<>();
        h.filter = (from, to, f) -> {
            if (from.equals(B) && frameType(f, Frame.ACK)) acks.add(f.duplicate());
            return true;
        };
        h.connect("a", "b");
        h.node("a").send(B, LANE, "m1");
        h.run();
        assertThat(acks).isNotEmpty();
        java.nio.ByteBuffer lastAck = acks.get(acks.size() - 1);
        h.disconnect("a", "b");
        h.run();
        h.node("a").send(B, LANE, "m2"); // waits for the next connection
        h.node("a").input(e -> e.onPeerUp(h.now, B));
        h.node("a").input(e -> e.onFrame(h.now, B, lastAck.duplicate())); // b's ACK, ahead of b's HELLO
        h.node("b").input(e -> e.onPeerUp(h.now, A)); // b's HELLO goes out now
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m1", "m2");
    }
}
