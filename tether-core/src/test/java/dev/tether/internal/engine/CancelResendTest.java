package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Lanes;
import dev.tether.NodeId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A CANCEL frame lost on a connection that stays up (a transport may lose single frames: NATS) must not lose the
 * withdrawal: the sender sends the CANCELs of its withdrawn, unsettled messages again on a timer with backoff until
 * the acknowledgment passes them (SenderWithdrawals), and the receiver takes a repeated CANCEL as a no-op. Manual time,
 * no threads; the harness retransmits after 100 ms, backing off to 1 s.
 */
class CancelResendTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    private static int frameType(ByteBuffer frame) {
        return frame.get(frame.position() + 2); // after the magic and the version
    }

    /** The times a sends CANCELs at; the first {@code lose} of them are lost. */
    private static final class Cancels implements EngineHarness.FrameFilter {
        final EngineHarness h;
        final List<Long> at = new ArrayList<>();
        int lose;

        Cancels(EngineHarness h, int lose) {
            this.h = h;
            this.lose = lose;
        }

        @Override
        public boolean pass(NodeId from, NodeId to, ByteBuffer frame) {
            if (frameType(frame) != Frame.CANCEL) return true;
            at.add(h.now);
            return at.size() > lose;
        }
    }

    /** a sends m0..m2 to b, whose application fails m0 and asks for its retry after {@code retryMillis}. */
    private static EngineHarness bufferedBehindARetry(String lane, long retryMillis) {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").poison.add(1L);
        h.node("b").retryAfter.put(1L, retryMillis);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, lane, "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0"); // m1, m2 buffered, not handed out
        h.node("b").poison.clear();
        confirmReceipt(h);
        return h;
    }

    /**
     * b acknowledges receipt with its ACKs after processing, and a's timer goes back and transmits again what b has not
     * confirmed received, a withdrawn message as a marker, which withdraws it too (CancelAfterRewindTest). Once the
     * timer went back and b's ACK of the repeats confirmed them received, a's timer only probes: only a CANCEL can
     * withdraw them.
     */
    private static void confirmReceipt(EngineHarness h) {
        for (int i = 0; i < 5; i++) h.advance(100);
    }

    @Test
    void aLostCancelIsSentAgainAndTheBufferedMessageIsNeverHandled() {
        EngineHarness h = bufferedBehindARetry("l", 5_000);
        Cancels cancels = new Cancels(h, 1);
        h.filter = cancels;

        h.node("a").input(e -> e.cancel(h.now, AB, 3));
        h.run(); // the withdrawal's mark is stored, the CANCEL goes and is lost
        assertThat(cancels.at).hasSize(1);
        for (int i = 0; i < 60; i++) h.advance(100); // b retries m0 after 5 s

        assertThat(h.node("b").payloads()).as("m2 never handled").containsExactly("m0", "m0", "m1");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#3=CANCELLED");
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        assertThat(cancels.at).as("sent again").hasSizeGreaterThan(1);
    }

    @Test
    void aLostCancelOfAVolatileMessageIsSentAgain() {
        String lane = Lanes.volatileLane("l");
        EngineHarness h = bufferedBehindARetry(lane, 5_000);
        Cancels cancels = new Cancels(h, 1);
        h.filter = cancels;

        h.node("a").input(e -> e.cancel(h.now, new StreamKey(B, lane), 3)); // in effect at once: the CANCEL is lost
        for (int i = 0; i < 60; i++) h.advance(100);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m1");
        assertThat(h.node("a").outcomesBySeq).containsExactly(lane + "#3=CANCELLED");
        assertThat(cancels.at).hasSizeGreaterThan(1);
    }

    @Test
    void aLostCancelOfAMessageHandedOutAndNotStartedReachesTheApplication() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").hold.add(1L); // the run m0..m2 is out, not started
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        confirmReceipt(h);
        Cancels cancels = new Cancels(h, 1);
        h.filter = cancels;

        h.node("a").input(e -> e.cancel(h.now, AB, 2));
        h.run();
        assertThat(h.node("b").cancelRequests).isEmpty(); // lost
        h.advance(150); // the resend
        assertThat(h.node("b").cancelRequests).containsExactly(2L);
        for (int i = 0; i < 10; i++) h.advance(100); // and more, until the acknowledgment passes it
        assertThat(h.node("b").cancelRequests).hasSizeGreaterThan(1).containsOnly(2L);
        h.node("b").release();
        for (int i = 0; i < 20; i++) h.advance(100);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m2");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#2=CANCELLED");
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
    }

    /**
     * The connection drops with m2 buffered at b and the call is cancelled meanwhile: no CANCEL can go. The new
     * connection's first ACK states m2 received, so a does not transmit it again, not even as a marker: the CANCEL goes
     * as the stream opens.
     */
    @Test
    void aWithdrawalWhileDisconnectedOfAMessageTheReceiverHoldsIsSentWhenTheStreamOpens() {
        EngineHarness h = bufferedBehindARetry("l", 5_000);
        h.disconnect("a", "b");
        Cancels cancels = new Cancels(h, 0);
        h.filter = cancels;
        h.node("a").input(e -> e.cancel(h.now, AB, 3));
        h.run();
        assertThat(cancels.at).isEmpty();

        h.connect("a", "b");
        h.run();
        long opened = h.now;
        for (int i = 0; i < 60; i++) h.advance(100);

        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m1");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#3=CANCELLED");
        assertThat(cancels.at).as("sent as the stream opened").startsWith(opened);
    }

    /**
     * Every CANCEL is lost for a while: they go again after 100 ms, then backing off to 1 s. Once one arrives and the
     * acknowledgment passes the message, they stop.
     */
    @Test
    void resendsBackOffAndStopOnceTheOutcomeIsKnown() {
        EngineHarness h = bufferedBehindARetry("l", 30_000);
        Cancels cancels = new Cancels(h, Integer.MAX_VALUE);
        h.filter = cancels;
        h.node("a").input(e -> e.cancel(h.now, AB, 3));
        h.run();
        for (int i = 0; i < 500; i++) h.advance(10); // 5 s

        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < cancels.at.size(); i++) gaps.add(cancels.at.get(i) - cancels.at.get(i - 1));
        assertThat(gaps).startsWith(100L, 200L, 400L, 800L, 1_000L).allMatch(g -> g <= 1_000);

        cancels.lose = 0; // the next one arrives: b settles m2 as cancelled when m0 is done
        h.node("b").retryAfter.clear();
        for (int i = 0; i < 40; i++) h.advance(1_000); // b retries m0 after 30 s
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#3=CANCELLED");
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        int sent = cancels.at.size();
        for (int i = 0; i < 20; i++) h.advance(1_000);
        assertThat(cancels.at).as("no more once settled").hasSize(sent);
        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m1");
    }

    /**
     * CANCELs arrive many times (each sent again, and repeated on the way): the message is settled once, as cancelled,
     * with no protocol error.
     */
    @Test
    void repeatedCancelsAreNoOps() {
        EngineHarness h = bufferedBehindARetry("l", 3_000);
        h.node("a").input(e -> e.cancel(h.now, AB, 3));
        h.run();
        for (int i = 0; i < 5; i++) {
            h.node("b").input(e -> e.onFrame(h.now, A, cancelFrame(h, 3)));
            h.advance(150); // and a sends it again meanwhile
        }
        for (int i = 0; i < 40; i++) h.advance(100);

        assertThat(h.node("b").engine.counters().protocolErrors()).isZero();
        assertThat(h.node("b").payloads()).containsExactly("m0", "m0", "m1");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#3=CANCELLED");
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        // Repeats after the settlement change nothing either.
        for (int i = 0; i < 3; i++) h.node("b").input(e -> e.onFrame(h.now, A, cancelFrame(h, 3)));
        h.run();
        assertThat(h.node("a").outcomesBySeq).hasSize(1);
        assertThat(h.node("b").engine.counters().protocolErrors()).isZero();
    }

    /**
     * Seeded: a cancel at a random point while a's messages are on their way and b processes them, each CANCEL lost at
     * random, b's application failing an earlier message once at random. Exactly one outcome for the withdrawn message:
     * b's application processed it and a learns nothing but the acknowledgment (processed), or it was never processed
     * and a learns CANCELLED.
     */
    @Test
    void aCancelRacingWithProcessingHasExactlyOneOutcome() {
        long base = Long.getLong("tether.test.seed", System.nanoTime());
        System.out.println("CancelResendTest race base seed " + base + " (-Dtether.test.seed=" + base + ")");
        for (int run = 0; run < 300; run++) race(base + run);
    }

    private static void race(long seed) {
        Random r = new Random(seed);
        int n = 6;
        long target = 1 + r.nextInt(n);
        EngineHarness h = new EngineHarness("a", "b");
        if (target > 1 && r.nextBoolean()) {
            h.node("b").poison.add(1L); // fails once: what follows waits for its retry
            h.node("b").retryAfter.put(1L, 50L + r.nextInt(1_000));
        }
        double loss = r.nextDouble();
        h.filter = (from, to, frame) -> frameType(frame) != Frame.CANCEL || r.nextDouble() >= loss;
        h.connect("a", "b");
        for (int i = 0; i < n; i++) h.node("a").send(B, "l", "m" + i);
        int steps = r.nextInt(120);
        for (int i = 0; i < steps && !h.tasks.isEmpty(); i++) h.tasks.poll().run();
        h.node("a").input(e -> e.cancel(h.now, AB, target));
        h.run();
        h.node("b").poison.clear();
        for (int i = 0; i < 400 && h.node("a").acked.getOrDefault(AB, 0L) < n; i++) h.advance(50);

        String at = "seed " + seed + ", cancel of " + target + " after " + steps + " steps, CANCEL loss " + loss;
        // Handed to b's application and not skipped as withdrawn: processed (only m0 ever fails).
        long processed =
                h.node("b").delivered.stream().filter(m -> m.seq() == target).count();
        assertThat(h.node("a").acked.get(AB)).as(at).isEqualTo(n);
        assertThat(processed).as(at).isLessThanOrEqualTo(1);
        if (processed == 1) assertThat(h.node("a").outcomesBySeq).as(at).isEmpty();
        else assertThat(h.node("a").outcomesBySeq).as(at).containsExactly("l#" + target + "=CANCELLED");
    }

    /**
     * 100 withdrawn messages buffered at b, every CANCEL lost: a resend sends at most {@value
     * SenderWithdrawals#MAX_RESENT_PER_STREAM}, and the next one goes on from there, so each gets its turn.
     */
    @Test
    void aResendIsBoundedPerStreamAndTheNextGoesOnFromThere() {
        EngineHarness h = wideWindow();
        h.node("b").poison.add(1L);
        h.node("b").retryAfter.put(1L, 60_000L);
        h.connect("a", "b");
        for (int i = 0; i < 101; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        List<Long> resent = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (FrameCodec.decode(frame.duplicate()) instanceof Frame.Cancel c) resent.add(c.seq());
            return false;
        };
        h.node("a").input(e -> {
            for (long seq = 2; seq <= 101; seq++) e.cancel(h.now, AB, seq);
        });
        h.run();
        assertThat(resent).hasSize(100); // each as it took effect
        resent.clear();

        h.advance(100);
        assertThat(resent).hasSize(SenderWithdrawals.MAX_RESENT_PER_STREAM).startsWith(2L, 3L);
        h.advance(200);
        assertThat(resent).hasSize(100).doesNotHaveDuplicates();
        h.advance(400);
        assertThat(resent).hasSize(100 + SenderWithdrawals.MAX_RESENT_PER_STREAM);
        assertThat(h.node("b").payloads()).containsExactly("m0");
    }

    /**
     * 20 streams with 64 withdrawn messages each, due at the same tick: at most {@value
     * SenderWithdrawals#MAX_RESENT_PER_TICK} CANCELs go per tick, the rest on the next.
     */
    @Test
    void resendsAreBoundedPerTick() {
        EngineHarness h = wideWindow();
        h.node("b").poison.add(1L); // the first message of every lane
        h.node("b").retryAfter.put(1L, 60_000L);
        h.connect("a", "b");
        int lanes = 20;
        for (int l = 0; l < lanes; l++) {
            for (int i = 0; i < 65; i++) h.node("a").send(B, "l" + l, "m" + i);
        }
        h.run();
        java.util.Map<Long, Integer> perTick = new java.util.TreeMap<>();
        h.filter = (from, to, frame) -> {
            if (frameType(frame) == Frame.CANCEL) perTick.merge(h.now, 1, Integer::sum);
            return false;
        };
        h.node("a").input(e -> {
            for (int l = 0; l < lanes; l++) {
                for (long seq = 2; seq <= 65; seq++) e.cancel(h.now, new StreamKey(B, "l" + l), seq);
            }
        });
        h.run();
        perTick.clear();
        for (int i = 0; i < 12; i++) h.advance(10);

        assertThat(perTick.values()).containsExactly(SenderWithdrawals.MAX_RESENT_PER_TICK, lanes * 64 - 1024);
    }

    /** Two nodes whose streams take 128 messages in flight (the harness's default is 8). */
    private static EngineHarness wideWindow() {
        EngineHarness h = new EngineHarness("a", "b");
        h.window = 128;
        h.node("a").crash(); // new engines, with the window: nothing is stored yet
        h.node("b").crash();
        return h;
    }

    /** A CANCEL of message {@code seq} from a's current incarnation. */
    static ByteBuffer cancelFrame(EngineHarness h, long seq) {
        ByteBuffer b = ByteBuffer.allocate(256);
        FrameCodec.cancel(b, AB.lane(), h.node("a").engine.epoch(), seq);
        return b.flip();
    }
}
