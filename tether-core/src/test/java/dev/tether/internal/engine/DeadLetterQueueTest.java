package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeadLetterLimits;
import dev.tether.DeadLetterStats;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.WriteBatch;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bounds of the dead-letter queue in the engine (manual time, in-memory store): evictions and the age sweep
 * counted once each also when their batch fails and is written again, and REFUSE blocking a stream until an operator's
 * removal is stored. Node-level tests over SQLite files: {@code DeadLetterLimitsTest} in tether-store-sqlite.
 */
class DeadLetterQueueTest {
    private static final NodeId B = NodeId.of("b");

    private static EngineHarness harness(DeadLetterLimits limits) {
        EngineHarness h = new EngineHarness("a", "b");
        EngineHarness.Node b = h.node("b");
        b.engine.deadLetters().restore(limits, b.store.readDeadLetterIndex());
        h.connect("a", "b");
        return h;
    }

    private static void settle(EngineHarness h) {
        for (int i = 0; i < 20; i++) h.advance(20); // three attempts, 10 ms apart
    }

    private static List<Long> stored(EngineHarness.Node n) {
        return n.store.readDeadLetters(1000).stream().map(DeadLetter::seq).toList();
    }

    @Test
    void aFailedBatchTakesItsEvictionsBackAndTheNextCountsThemOnce() {
        EngineHarness h = harness(DeadLetterLimits.of(3, 1L << 20, Duration.ofDays(30)));
        EngineHarness.Node b = h.node("b");
        for (long s = 1; s <= 6; s++) b.poison.add(s);
        for (int i = 0; i < 5; i++) h.node("a").send(B, "l", "m" + i);
        settle(h);
        assertThat(stored(b)).containsExactly(3L, 4L, 5L);
        assertThat(b.engine.deadLetters().stats().evicted()).isEqualTo(2);

        b.store.failNextCommits(1);
        h.node("a").send(B, "l", "m5");
        settle(h);
        DeadLetterStats s = b.engine.deadLetters().stats();
        assertThat(stored(b)).containsExactly(4L, 5L, 6L);
        assertThat(s.evicted()).isEqualTo(3);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.bytes()).isEqualTo(6);
        assertThat(b.events.stream()
                        .filter(e -> e instanceof TetherEvent.DeadLettersEvicted)
                        .mapToLong(e -> ((TetherEvent.DeadLettersEvicted) e).count())
                        .sum())
                .isEqualTo(3);
        assertThat(h.node("a").outcomes).hasSize(6).containsOnly(Outcome.DEAD_LETTERED);
    }

    @Test
    void theSweepRemovesOnlyWhatIsOlderThanMaxAgeAndCountsItOnceAcrossAFailedBatch() {
        EngineHarness h = harness(DeadLetterLimits.of(100, 1L << 20, Duration.ofMinutes(10)));
        EngineHarness.Node b = h.node("b");
        for (long s = 1; s <= 3; s++) b.poison.add(s);
        h.node("a").send(B, "l", "m0");
        settle(h);
        h.advance(Duration.ofMinutes(5).toMillis());
        h.node("a").send(B, "l", "m1");
        h.node("a").send(B, "l", "m2");
        settle(h);
        assertThat(stored(b)).containsExactly(1L, 2L, 3L);

        b.store.failNextCommits(1);
        h.advance(Duration.ofMinutes(6).toMillis()); // m0 is 11 minutes old, the others about 6
        h.advance(200); // the failed sweep's batch is written again
        assertThat(stored(b)).containsExactly(2L, 3L);
        assertThat(b.engine.deadLetters().stats().expired()).isEqualTo(1);
        assertThat(b.engine.deadLetters().stats().count()).isEqualTo(2);
    }

    @Test
    void refuseBlocksTheStreamAtTheMessageUntilARemovalIsStored() {
        EngineHarness h = harness(
                DeadLetterLimits.of(2, 1L << 20, Duration.ofDays(30)).whenFull(DeadLetterLimits.WhenFull.REFUSE));
        EngineHarness.Node b = h.node("b");
        for (long s = 1; s <= 3; s++) b.poison.add(s);
        for (int i = 0; i < 4; i++) h.node("a").send(B, "l", "m" + i);
        settle(h);
        assertThat(stored(b)).containsExactly(1L, 2L);
        DeadLetterStats s = b.engine.deadLetters().stats();
        assertThat(s.refused()).isEqualTo(1);
        assertThat(s.blockedStreams()).isEqualTo(1);
        assertThat(b.payloads()).doesNotContain("m3");
        assertThat(b.events).anySatisfy(e -> assertThat(e).isInstanceOf(TetherEvent.DeadLetterQueueFull.class));

        b.store.failNextCommits(1); // the removal's first batch fails: still blocked, written again
        b.input(e -> e.deadLetters()
                .remove(
                        77,
                        List.of(WriteBatch.DeadLetterRemoval.of(
                                b.store.readDeadLetters(1).get(0)))));
        h.run();
        settle(h);
        assertThat(b.written).containsExactly(77L);
        assertThat(stored(b)).containsExactly(2L, 3L);
        assertThat(b.payloads()).endsWith("m2", "m3");
        s = b.engine.deadLetters().stats();
        assertThat(s.refused()).isEqualTo(1);
        assertThat(s.blockedStreams()).isZero();
        assertThat(s.count()).isEqualTo(2);
        assertThat(h.node("a").outcomes)
                .containsExactly(Outcome.DEAD_LETTERED, Outcome.DEAD_LETTERED, Outcome.DEAD_LETTERED);
    }

    /**
     * A removal removes each dead letter once: what it asks for twice, what an earlier request not yet in a batch or a
     * batch in flight removes already, is not what it removes (so two purges of one id report one purged).
     */
    @Test
    void aRemovalTakesEachDeadLetterOnceAndNotWhatAnotherRemovalTakesAlready() {
        EngineHarness h = harness(DeadLetterLimits.of(10, 1L << 20, Duration.ofDays(30)));
        EngineHarness.Node b = h.node("b");
        for (long s = 1; s <= 3; s++) b.poison.add(s);
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        settle(h);
        List<WriteBatch.DeadLetterRemoval> k = b.store.readDeadLetters(10).stream()
                .map(WriteBatch.DeadLetterRemoval::of)
                .toList();
        assertThat(k).hasSize(3);
        DeadLetterQueue q = b.engine.deadLetters();
        assertThat(q.removable(List.of(k.get(0), k.get(0), k.get(1)))).containsExactly(k.get(0), k.get(1));
        q.remove(78, List.of(k.get(0))); // in the same turn as the next: no batch takes it yet
        assertThat(q.removable(List.of(k.get(0), k.get(1)))).containsExactly(k.get(1)); // k0 requested already
        assertThat(q.keys()).containsExactly(k.get(1), k.get(2));
        b.input(e -> {}); // the turn ends: a batch takes the request
        assertThat(q.removable(List.of(k.get(0), k.get(1)))).containsExactly(k.get(1)); // k0 being removed
        h.run();
        settle(h);
        assertThat(b.written).containsExactly(78L);
        assertThat(q.removable(List.of(k.get(0)))).isEmpty(); // gone
        assertThat(stored(b)).containsExactly(2L, 3L);
    }

    /**
     * Under REFUSE a payload larger than {@code maxBytes} never fits, and no removal could make room for it (with an
     * empty queue none ever commits): it is stored and removed in the same batch, as under DROP_OLDEST, counted
     * evicted, and its stream goes on instead of blocking for good.
     */
    @Test
    void refuseLetsADeadLetterLargerThanMaxBytesThroughAsEvictedInsteadOfBlockingForGood() {
        EngineHarness h =
                harness(DeadLetterLimits.of(10, 4, Duration.ofDays(30)).whenFull(DeadLetterLimits.WhenFull.REFUSE));
        EngineHarness.Node b = h.node("b");
        b.poison.add(1L);
        h.node("a").send(B, "l", "too large");
        h.node("a").send(B, "l", "ok");
        settle(h);
        assertThat(h.node("a").outcomes).containsExactly(Outcome.DEAD_LETTERED);
        assertThat(b.payloads()).endsWith("ok");
        assertThat(stored(b)).isEmpty();
        DeadLetterStats s = b.engine.deadLetters().stats();
        assertThat(s.evicted()).isEqualTo(1);
        assertThat(s.count()).isZero();
        assertThat(s.blockedStreams()).isZero();
        assertThat(b.events).anySatisfy(e -> assertThat(e).isInstanceOf(TetherEvent.DeadLettersEvicted.class));
    }

    /**
     * A queue of at most {@code maxCount} dead letters and 6 bytes under REFUSE at b, which fails the first three
     * messages on lane "l", {@code payloads} sent there from a, settled.
     */
    private static EngineHarness refusingThreePoisoned(int maxCount, List<String> payloads) {
        EngineHarness h = harness(
                DeadLetterLimits.of(maxCount, 6, Duration.ofDays(30)).whenFull(DeadLetterLimits.WhenFull.REFUSE));
        for (long s = 1; s <= 3; s++) h.node("b").poison.add(s);
        for (String p : payloads) h.node("a").send(B, "l", p);
        settle(h);
        return h;
    }

    /**
     * A stored removal resumes a stream blocked under REFUSE only if its refused message fits now: one that would be
     * refused again is not handed out once more (its handler ran past the retry policy's attempts, for nothing).
     */
    @Test
    void refuseResumesABlockedStreamOnlyWhenItsMessageFits() {
        EngineHarness h = refusingThreePoisoned(10, List.of("aa", "cccc", "bbbb"));
        EngineHarness.Node b = h.node("b");
        assertThat(stored(b)).containsExactly(1L, 2L);
        long runsOfBbbb = b.payloads().stream().filter("bbbb"::equals).count();
        assertThat(b.engine.deadLetters().stats().refused()).isEqualTo(1);

        b.input(e -> e.deadLetters()
                .remove(
                        77,
                        List.of(WriteBatch.DeadLetterRemoval.of(
                                b.store.readDeadLetters(1).get(0))))); // "aa": 4 + 4 bytes would still be beyond 6
        h.run();
        settle(h);
        assertThat(b.written).containsExactly(77L);
        assertThat(stored(b)).containsExactly(2L);
        assertThat(b.payloads().stream().filter("bbbb"::equals).count()).isEqualTo(runsOfBbbb);
        DeadLetterStats s = b.engine.deadLetters().stats();
        assertThat(s.refused()).isEqualTo(1);
        assertThat(s.blockedStreams()).isEqualTo(1);
    }

    /**
     * Under REFUSE a stored removal that leaves the queue as full as before does not resume a stream blocked by the
     * count: a dead letter larger than {@code maxBytes} passes through (stored and removed in one batch, evicted), and
     * the stream blocked at the third of two allowed stays blocked, its message neither handed out again nor refused
     * and reported a second time (audit8a M36: resuming at {@code maxCount} exactly survived, the test above bounds
     * by bytes only).
     */
    @Test
    void refuseKeepsAStreamBlockedByTheCountWhenAnEvictionInBetweenLeavesTheQueueAsFull() {
        EngineHarness h = refusingThreePoisoned(2, List.of("aa", "bb", "cc"));
        EngineHarness.Node b = h.node("b");
        assertThat(stored(b)).containsExactly(1L, 2L);
        assertThat(b.engine.deadLetters().stats().refused()).isEqualTo(1);
        long runsOfCc = b.payloads().stream().filter("cc"::equals).count();

        h.node("a").send(B, "l2", "too large"); // 9 bytes beyond 6: through as evicted, 2 of 2 still held after
        settle(h);
        DeadLetterStats s = b.engine.deadLetters().stats();
        assertThat(s.evicted()).isEqualTo(1);
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.blockedStreams())
                .as("still blocked: the queue holds 2 of 2")
                .isEqualTo(1);
        assertThat(s.refused())
                .as("cc refused once, not again after a resume for nothing")
                .isEqualTo(1);
        assertThat(b.payloads().stream().filter("cc"::equals).count())
                .as("cc not handed out again")
                .isEqualTo(runsOfCc);
    }
}
