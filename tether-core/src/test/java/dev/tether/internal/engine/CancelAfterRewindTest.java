package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Lanes;
import dev.tether.NodeId;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A withdrawal that takes effect after the sender's retransmission timer went back below a message the receiver
 * already buffers (its ACKs were lost; the connection stays up). The message was transmitted on this connection, but
 * the sender's {@code sentUpTo} is below it: no CANCEL frame follows at once (those it sends again later are lost
 * here, see {@link CancelResendTest}), and the retransmission of it is a CANCELLED marker at or below the receiver's
 * {@code receivedUpTo}. The receiver must take that marker as the withdrawal of the message it buffers, not drop it as
 * a duplicate: else the handler runs a call whose caller was told it was cancelled before it started (docs/MESSAGING.md,
 * "Cancellation": a call not started yet is never executed). Manual time, no threads.
 */
class CancelAfterRewindTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private static int frameType(ByteBuffer frame) {
        return frame.get(frame.position() + 2); // after the magic and the version
    }

    /**
     * Frames b sends a: the first ACK (which opens a's stream) passes, later ones only while {@code acks[0]}. Every
     * CANCEL is counted and lost: a sends them again until it learns the outcome (SenderWithdrawals), which would
     * withdraw the message even if the receiver dropped the marker as a duplicate; so here only the marker can.
     */
    private static EngineHarness.FrameFilter losingAcks(boolean[] acks, int[] cancels) {
        int[] seen = new int[1];
        return (from, to, frame) -> {
            int type = frameType(frame);
            if (type == Frame.CANCEL) {
                cancels[0]++;
                return false;
            }
            if (!from.equals(B) || type != Frame.ACK) return true;
            return seen[0]++ == 0 || acks[0];
        };
    }

    /**
     * b buffers m1 and m2 behind m0, which failed and waits 5 s for its retry; every ACK after the stream's opening is
     * lost, so a's timer goes back to 0 and retransmits. The withdrawal of m2 is stored (held back meanwhile) and takes
     * effect with a's {@code sentUpTo} at 2: only a marker of m2 tells b. m2 must never reach the handler.
     */
    @Test
    void aWithdrawalAfterARewindBelowABufferedMessageStillSkipsIt() {
        EngineHarness h = new EngineHarness("a", "b");
        StreamKey key = new StreamKey(B, "l");
        h.node("b").poison.add(1L);
        h.node("b").retryAfter.put(1L, 5_000L);
        boolean[] acks = {false};
        int[] cancels = new int[1];
        h.filter = losingAcks(acks, cancels);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0"); // backing off; m1, m2 buffered, not handed out

        h.node("a").holdCommits = true; // the withdrawal's mark is stored slowly
        h.node("a").input(e -> e.cancel(h.now, key, 3));
        h.advance(300); // a's timer fires: back to 0, m1 and m2 again (m3 held back), dropped by b as duplicates
        h.node("a").releaseCommits(); // the mark is durable: in effect with a's sentUpTo at 2, m3 goes as a marker
        h.run();
        finish(h, acks);

        // No CANCEL when the withdrawal took effect (m3 was above a's sentUpTo); later resends were all lost.
        assertThat(cancels[0])
                .as("CANCELs sent again, once m3 went as a marker")
                .isPositive();
        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m1");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#3=CANCELLED");
        assertThat(h.node("a").acked.get(key)).isEqualTo(3);
    }

    /** The same on a volatile stream, whose withdrawal takes effect at once, between the rewind and the marker. */
    @Test
    void aVolatileWithdrawalAfterARewindBelowABufferedMessageStillSkipsIt() {
        String lane = Lanes.volatileLane("l");
        StreamKey key = new StreamKey(B, lane);
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").poison.add(1L);
        h.node("b").retryAfter.put(1L, 5_000L);
        boolean[] acks = {false};
        int[] cancels = new int[1];
        h.filter = losingAcks(acks, cancels);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, lane, "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0");

        // The timer fires and a goes back to 0; the withdrawal comes in the same turn, before the retransmission.
        h.now += 300;
        h.node("a").input(e -> {
            e.onTick(h.now);
            e.cancel(h.now, key, 3);
        });
        h.run();
        finish(h, acks);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m1");
        assertThat(h.node("a").outcomesBySeq).containsExactly(lane + "#3=CANCELLED");
        assertThat(h.node("a").acked.get(key)).isEqualTo(3);
    }

    /**
     * b handed m0..m2 to its application, which has not started them (held); the ACKs are lost and a goes back to 0.
     * The marker of m3 must reach the application as a withdrawal ({@code cancelRequested}), which skips it.
     */
    @Test
    void aWithdrawalAfterARewindBelowAHandedOutMessageReachesTheApplication() {
        EngineHarness h = new EngineHarness("a", "b");
        StreamKey key = new StreamKey(B, "l");
        h.node("b").hold.add(1L); // the run m0..m2 waits, not started
        boolean[] acks = {false};
        h.filter = losingAcks(acks, new int[1]);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();

        h.node("a").holdCommits = true;
        h.node("a").input(e -> e.cancel(h.now, key, 3));
        h.advance(300); // back to 0: m1, m2 again, m3 held back
        h.node("a").releaseCommits(); // m3 goes as a marker, no CANCEL
        h.run();
        assertThat(h.node("b").cancelRequests).containsExactly(3L);
        h.node("b").release();
        finish(h, acks);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m1");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#3=CANCELLED");
        assertThat(h.node("a").acked.get(key)).isEqualTo(3);
    }

    /**
     * b processed m0..m2 already and its ACKs were lost: the marker of m3 after the rewind is too late and changes
     * nothing. a learns the true outcome: acknowledged (processed), never CANCELLED.
     */
    @Test
    void aWithdrawalAfterARewindBelowAProcessedMessageIsTooLate() {
        String lane = Lanes.volatileLane("l");
        StreamKey key = new StreamKey(B, lane);
        EngineHarness h = new EngineHarness("a", "b");
        boolean[] acks = {false};
        h.filter = losingAcks(acks, new int[1]);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, lane, "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0", "m1", "m2");

        h.now += 300;
        h.node("a").input(e -> {
            e.onTick(h.now);
            e.cancel(h.now, key, 3);
        });
        h.run();
        finish(h, acks);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m1", "m2");
        assertThat(h.node("b").cancelRequests).isEmpty();
        assertThat(h.node("a").outcomesBySeq).isEmpty();
        assertThat(h.node("a").acked.get(key)).isEqualTo(3);
    }

    /** ACKs flow again and b's application takes m0 on its retry: the stream settles. */
    private static void finish(EngineHarness h, boolean[] acks) {
        acks[0] = true;
        h.node("b").poison.clear();
        for (int i = 0; i < 40; i++) h.advance(200);
    }
}
