package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.TetherEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The timings and the pipelining that README.md and docs/PROTOCOL.md promise, on engines configured as a node
 * with the default configuration ({@link EngineHarness#withNodeDefaults}). Time moves only in {@link
 * EngineHarness#advance} steps of 1 ms, so every interval is exact: each test fails if a documented constant or
 * the doubling changes, not only a benchmark getting slower. Only the engine's inputs and outputs (frames,
 * deliveries, events) are observed, never its fields.
 */
class DocumentedTimingsTest {
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    /** PROTOCOL.md, sender step 6: "default 200 ms, doubling up to 5 s". */
    @Test
    void retransmissionTimeoutStartsAt200MillisAndDoublesUpTo5Seconds() {
        EngineHarness h = EngineHarness.withNodeDefaults(b -> b, "a", "b");
        List<Long> dataSent = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (!(decode(frame) instanceof Frame.Data)) return true;
            dataSent.add(h.now);
            return false; // every DATA frame is lost: only the timer sends it again
        };
        h.connect("a", "b");
        h.node("a").send(B, "l", "lost every time");
        h.run();
        assertThat(dataSent).as("transmitted once the stream is open").hasSize(1);

        advanceUntil(h, 40_000, () -> dataSent.size() == 10);

        assertThat(gaps(dataSent))
                .as("ms between transmissions of the unacknowledged message")
                .containsExactly(200L, 400L, 800L, 1_600L, 3_200L, 5_000L, 5_000L, 5_000L, 5_000L);
    }

    /**
     * PROTOCOL.md, sender step 6: the timeout goes back to the measured one (here the first, 200 ms, as the round trip
     * is short) once a frame is acknowledged without having been sent again; until then it stays backed off.
     */
    @Test
    void retransmissionTimeoutReturnsTo200MillisOnProgress() {
        EngineHarness h = EngineHarness.withNodeDefaults(b -> b, "a", "b");
        List<Long> dataSent = new ArrayList<>();
        boolean[] lose = {true};
        h.filter = (from, to, frame) -> {
            if (!(decode(frame) instanceof Frame.Data)) return true;
            dataSent.add(h.now);
            return !lose[0];
        };
        h.connect("a", "b");
        h.node("a").send(B, "l", "first");
        h.run();
        advanceUntil(h, 40_000, () -> dataSent.size() == 8);
        assertThat(gaps(dataSent)).as("backed off to the cap").endsWith(5_000L, 5_000L);

        lose[0] = false; // the next retransmission arrives and is acknowledged: progress
        advanceUntil(h, 10_000, () -> h.node("a").acked.getOrDefault(AB, 0L) == 1);
        assertThat(h.node("b").payloads()).containsExactly("first");

        h.node("a").send(B, "l", "second"); // acknowledged without a retransmission: measured
        h.run();
        assertThat(h.node("a").acked.get(AB)).isEqualTo(2);

        lose[0] = true;
        dataSent.clear();
        h.node("a").send(B, "l", "third");
        h.run();
        advanceUntil(h, 10_000, () -> dataSent.size() == 3);
        assertThat(gaps(dataSent)).as("backoff after progress starts again").containsExactly(200L, 400L);
    }

    /** README "Failures": retried per RetryPolicy, "default 5 attempts, 100 ms doubling"; then dead-lettered. */
    @Test
    void failedMessageIsRetriedAfter100MillisDoublingFiveAttemptsInAll() {
        EngineHarness h = EngineHarness.withNodeDefaults(b -> b, "a", "b");
        h.node("b").poison.add(1L);
        h.connect("a", "b");
        h.node("a").send(B, "l", "poison");
        h.node("a").send(B, "l", "after");
        h.run();

        List<Long> attempts = attemptTimes(h, 30_000, m -> m.seq() == 1);

        assertThat(gaps(attempts))
                .as("ms between deliveries of the failing message")
                .containsExactly(100L, 200L, 400L, 800L);
        assertThat(h.node("b").events)
                .filteredOn(e -> e instanceof TetherEvent.DeadLettered)
                .singleElement()
                .satisfies(e ->
                        assertThat(((TetherEvent.DeadLettered) e).attempts()).isEqualTo(5));
        assertThat(h.node("a").outcomes).containsExactly(Outcome.DEAD_LETTERED);
        assertThat(h.node("b").payloads()).endsWith("after");
    }

    /** README "Failures": the default backoff doubles "to 10 s" and stays there. */
    @Test
    void retryBackoffIsCappedAt10Seconds() {
        RetryPolicy d = RetryPolicy.DEFAULT;
        RetryPolicy moreAttempts = new RetryPolicy(11, d.initialBackoff(), d.maxBackoff(), d.multiplier());
        EngineHarness h = EngineHarness.withNodeDefaults(b -> b.retryPolicy(moreAttempts), "a", "b");
        h.node("b").poison.add(1L);
        h.connect("a", "b");
        h.node("a").send(B, "l", "poison");
        h.run();

        List<Long> attempts = attemptTimes(h, 60_000, m -> m.seq() == 1);

        assertThat(gaps(attempts))
                .containsExactly(100L, 200L, 400L, 800L, 1_600L, 3_200L, 6_400L, 10_000L, 10_000L, 10_000L);
    }

    /**
     * The longest backoff a retry policy takes ({@link RetryPolicy#MAX_BACKOFF}) waits: a failed message is not
     * retried at once, as it was when a longer backoff's due time overflowed into the past.
     */
    @Test
    void theLongestBackoffWaitsInsteadOfOverflowing() {
        RetryPolicy longest = new RetryPolicy(3, RetryPolicy.MAX_BACKOFF, RetryPolicy.MAX_BACKOFF, 1.0);
        EngineHarness h = EngineHarness.withNodeDefaults(b -> b.retryPolicy(longest), "a", "b");
        h.node("b").poison.add(1L);
        h.connect("a", "b");
        h.node("a").send(B, "l", "poison");
        h.run();

        assertThat(attemptTimes(h, 60_000, m -> m.seq() == 1)).hasSize(1);
        assertThat(h.node("a").outcomes).isEmpty();
    }

    /**
     * Delivery.nack(Duration): the next attempt comes after the pause asked for, not after the policy's backoff,
     * and the attempt counts: the fifth failure dead-letters as usual.
     */
    @Test
    void aNackWithAPauseRetriesAfterThatPauseAndCountsAsAnAttempt() {
        EngineHarness h = EngineHarness.withNodeDefaults(b -> b, "a", "b");
        h.node("b").poison.add(1L);
        h.node("b").retryAfter.put(1L, 2_500L);
        h.connect("a", "b");
        h.node("a").send(B, "l", "poison");
        h.node("a").send(B, "l", "after");
        h.run();

        List<Long> attempts = attemptTimes(h, 15_000, m -> m.seq() == 1);

        assertThat(gaps(attempts)).containsExactly(2_500L, 2_500L, 2_500L, 2_500L);
        assertThat(h.node("a").outcomes).containsExactly(Outcome.DEAD_LETTERED);
        assertThat(h.node("b").payloads()).endsWith("after");
    }

    /**
     * PROTOCOL.md, sender step 4: "many are in flight, limited only by the receiver's credit". With no ACK
     * reaching the sender, it transmits a whole window (1024 by default), in several DATA frames; a sender that
     * waited for an ACK per message or per frame (stop-and-wait) transmits one.
     */
    @Test
    void senderTransmitsAWholeWindowBeforeAnyAckArrives() {
        EngineHarness h = EngineHarness.withNodeDefaults(b -> b, "a", "b");
        int window = h.config(NodeId.of("a")).window();
        assertThat(window).as("the documented default window").isEqualTo(1024);
        boolean[] holdAcks = {false};
        List<Frame.Data> inFlight = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (!holdAcks[0]) return true;
            Frame f = decode(frame);
            if (f instanceof Frame.Data d) inFlight.add(d);
            return !(f instanceof Frame.Acks);
        };
        h.connect("a", "b");
        h.node("a").send(B, "l", "opens the stream");
        h.run();
        assertThat(h.node("a").acked.get(AB)).as("stream open and idle").isEqualTo(1);

        holdAcks[0] = true; // from now on no ACK reaches the sender
        String payload = "x".repeat(1_000);
        for (int i = 0; i < 3 * window; i++) h.node("a").send(B, "l", payload);
        h.run();

        long messages = inFlight.stream().mapToLong(d -> d.messages().size()).sum();
        long last = inFlight.stream()
                .mapToLong(d -> d.firstSeq() + d.messages().size() - 1)
                .max()
                .orElse(0);
        assertThat(messages).as("messages transmitted without any ACK").isEqualTo(window);
        assertThat(last).as("nothing beyond the credit granted by the last ACK").isEqualTo(1 + window);
        assertThat(inFlight).as("DATA frames in flight at once").hasSizeGreaterThan(1);
        assertThat(h.node("b").delivered).as("the receiver got them all").hasSize(1 + window);
    }

    private static Frame decode(ByteBuffer frame) {
        return FrameCodec.decode(frame.duplicate());
    }

    /** Advances 1 ms at a time until {@code done}, failing after {@code maxMillis}. */
    private static void advanceUntil(EngineHarness h, long maxMillis, BooleanSupplier done) {
        for (long t = 0; !done.getAsBoolean(); t++) {
            assertThat(t)
                    .as("condition reached within %d ms of simulated time", maxMillis)
                    .isLessThan(maxMillis);
            h.advance(1);
        }
    }

    /**
     * The times at which b's application was handed a message matching {@code which}, over {@code millis} of
     * simulated time from now (the first delivery may already have happened, at the current time).
     */
    private static List<Long> attemptTimes(EngineHarness h, long millis, Predicate<InboundMessage> which) {
        List<Long> times = new ArrayList<>();
        int seen = 0;
        for (long t = 0; t <= millis; t++) {
            List<InboundMessage> delivered = h.node("b").delivered;
            for (; seen < delivered.size(); seen++) if (which.test(delivered.get(seen))) times.add(h.now);
            h.advance(1);
        }
        return times;
    }

    private static List<Long> gaps(List<Long> times) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) gaps.add(times.get(i) - times.get(i - 1));
        return gaps;
    }
}
