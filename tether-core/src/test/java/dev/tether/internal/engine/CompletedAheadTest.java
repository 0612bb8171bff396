package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.KeyValue;
import dev.tether.spi.WriteBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A message a concurrent consumer completed ahead of an earlier one ({@link AheadMarks}) and that the
 * engine then settles without handing it out again: when its turn comes as the stream's head, it is settled as
 * processed whatever became of it meanwhile (its time to live ran out, its sender withdrew it); when the cursor jumps
 * past it (a purge, a new sender incarnation) it is simply passed. Either way its marker leaves the engine's memory
 * and the store, also after a restart from the store. Time is the harness's; nothing runs concurrently.
 */
class CompletedAheadTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey FROM_A = new StreamKey(A, "l");
    private static final StreamKey TO_B = new StreamKey(B, "l");

    /**
     * b's application takes messages 1..3 of a (3 expires at {@code expiresAt} unless 0), completes 3 ahead, and
     * reports 1 processed and 2 failed, to be retried in 200 ms; then a sends message 4.
     */
    private static EngineHarness completedAheadOfAFailure(long expiresAt) {
        EngineHarness h = new EngineHarness("a", "b");
        EngineHarness.Node b = h.node("b");
        b.hold.add(1L);
        h.connect("a", "b");
        h.node("a").send(B, "l", "m1");
        h.run(); // the run of 1 is out, held
        h.node("a").send(B, "l", "m2");
        h.node("a").send(B, "l", "m3", expiresAt);
        h.run();
        long gen = b.lastGeneration;
        b.input(e -> assertThat(e.extendRun(h.now, FROM_A, gen, 1, 2)).hasSize(2));
        completeAhead(h, b, 3);
        h.run();
        assertThat(markers(b)).hasSize(1);
        b.hold.clear(); // the held run is reported below, by hand
        b.input(e -> e.extendRun(h.now, FROM_A, gen, 3, 0));
        b.input(e -> e.onSettled(
                h.now, Settlement.processed(FROM_A, gen, 1).failed(2, "failed").retryAfter(200)));
        h.run();
        h.node("a").send(B, "l", "m4");
        h.run();
        return h;
    }

    /** As the runtime reports a message its concurrent consumer acknowledged above the stream's cursor. */
    private static void completeAhead(EngineHarness h, EngineHarness.Node b, long seq) {
        long epoch = h.node("a").engine.epoch();
        b.input(e -> e.completedAhead().completed(h.now, 77, FROM_A, epoch, seq, List.of()));
    }

    /** b's process ends; a new one starts from its store and connects. */
    private static void restart(EngineHarness h, EngineHarness.Node b) {
        b.crash();
        h.connect("a", "b");
    }

    private static List<KeyValue> markers(EngineHarness.Node n) {
        return n.store.readKeys(AheadMarks.NAMESPACE, null, 0, 100);
    }

    private static List<Long> deliveredSeqs(EngineHarness.Node n) {
        return n.delivered.stream().map(InboundMessage::seq).toList();
    }

    /** Runs the retry of message 2 and what follows; returns a's outcomes. */
    private static List<String> settle(EngineHarness h) {
        for (int i = 0; i < 30; i++) h.advance(20);
        return h.node("a").outcomesBySeq;
    }

    @Test
    void anExpiredHeadThatCompletedAheadIsSettledAsProcessedAndItsMarkerDeleted() {
        for (boolean restart : new boolean[] {false, true}) {
            EngineHarness h = completedAheadOfAFailure(2_000); // expires while 2 waits for its retry
            EngineHarness.Node b = h.node("b");
            if (restart) restart(h, b);
            h.now += 1_500;
            List<String> outcomes = settle(h);
            assertThat(outcomes).as("restart " + restart).noneMatch(o -> o.startsWith("l#3="));
            assertThat(deliveredSeqs(b))
                    .as("restart " + restart)
                    .doesNotContain(3L)
                    .endsWith(4L);
            assertThat(markers(b)).as("restart " + restart).isEmpty();
            assertThat(b.engine.completedAhead().size()).isZero();
            assertThat(h.node("a").acked.get(TO_B)).isEqualTo(4);
        }
    }

    @Test
    void aCancelOfAMessageThatCompletedAheadIsTooLateAndItsMarkerIsDeleted() {
        for (boolean restart : new boolean[] {false, true}) {
            EngineHarness h = completedAheadOfAFailure(0);
            EngineHarness.Node b = h.node("b");
            if (restart) restart(h, b);
            h.node("a").input(e -> e.cancel(h.now, TO_B, 3));
            List<String> outcomes = settle(h);
            assertThat(outcomes).as("restart " + restart).doesNotContain("l#3=CANCELLED");
            assertThat(deliveredSeqs(b))
                    .as("restart " + restart)
                    .doesNotContain(3L)
                    .endsWith(4L);
            assertThat(markers(b)).as("restart " + restart).isEmpty();
            assertThat(b.engine.completedAhead().size()).isZero();
        }
    }

    @Test
    void aCursorJumpPastAMessageThatCompletedAheadDeletesItsMarker() {
        for (boolean restart : new boolean[] {false, true}) {
            EngineHarness h = completedAheadOfAFailure(0);
            EngineHarness.Node b = h.node("b");
            if (restart) restart(h, b);
            h.node("a").input(e -> e.purge(h.now, B, "l")); // b is told to move past 1..4
            h.node("a").send(B, "l", "m5");
            settle(h);
            assertThat(deliveredSeqs(b))
                    .as("restart " + restart)
                    .doesNotContain(3L)
                    .endsWith(5L);
            assertThat(markers(b)).as("restart " + restart).isEmpty();
            assertThat(b.engine.completedAhead().size()).isZero();
        }
    }

    @Test
    void aNewSenderIncarnationDeletesTheMarkersOfTheOldOne() {
        for (boolean restart : new boolean[] {false, true}) {
            EngineHarness h = completedAheadOfAFailure(0);
            EngineHarness.Node b = h.node("b");
            if (restart) restart(h, b);
            h.node("a").wipe(); // a lost its store: a new incarnation, numbering afresh
            h.connect("a", "b");
            h.node("a").send(B, "l", "n1");
            settle(h);
            assertThat(b.payloads()).as("restart " + restart).endsWith("n1");
            assertThat(markers(b)).as("restart " + restart).isEmpty();
            assertThat(b.engine.completedAhead().size()).isZero();
        }
    }

    /** b's application takes messages 1..3 of a and completes 3 ahead; the run of 1 is held. */
    private static EngineHarness completedAheadInARun() {
        EngineHarness h = new EngineHarness("a", "b");
        EngineHarness.Node b = h.node("b");
        b.hold.add(1L);
        h.connect("a", "b");
        h.node("a").send(B, "l", "m1");
        h.run();
        h.node("a").send(B, "l", "m2");
        h.node("a").send(B, "l", "m3");
        h.run();
        long gen = b.lastGeneration;
        b.input(e -> assertThat(e.extendRun(h.now, FROM_A, gen, 1, 2)).hasSize(2));
        b.hold.clear();
        return h;
    }

    private static boolean putsMarker(WriteBatch w) {
        return w.keyWrites().stream().anyMatch(k -> k.namespace().equals(AheadMarks.NAMESPACE) && !k.isDelete());
    }

    @Test
    void theAcknowledgmentThatPassesAMarkDeletesItWithTheCursorOrNeverPutsItIfItWasNotStoredYet() {
        for (boolean sameTurn : new boolean[] {false, true}) {
            EngineHarness h = completedAheadInARun();
            EngineHarness.Node b = h.node("b");
            long gen = b.lastGeneration;
            h.bursts = sameTurn; // one turn: the mark is passed before a batch could put it
            completeAhead(h, b, 3);
            if (!sameTurn) h.run();
            assertThat(markers(b)).hasSize(sameTurn ? 0 : 1);
            b.input(e -> e.onSettled(h.now, Settlement.processed(FROM_A, gen, 3)));
            if (sameTurn) h.runBursts();
            h.bursts = false;
            settle(h);
            assertThat(markers(b)).as("same turn " + sameTurn).isEmpty();
            assertThat(b.batches.stream().anyMatch(CompletedAheadTest::putsMarker))
                    .isEqualTo(!sameTurn);
            assertThat(b.engine.completedAhead().size()).isZero();
            assertThat(h.node("a").acked.get(TO_B)).isEqualTo(3);
        }
    }

    @Test
    void aFailedBatchPutsTheMarkAgainAndTheMarkStillKeepsItsMessageFromBeingHandedOutAgain() {
        EngineHarness h = completedAheadInARun();
        EngineHarness.Node b = h.node("b");
        long gen = b.lastGeneration;
        b.store.failNextCommits(1); // the batch with the mark
        completeAhead(h, b, 3);
        h.run();
        assertThat(markers(b)).isEmpty();
        h.advance(200); // the batch is written again after the failure
        assertThat(markers(b)).hasSize(1);
        b.input(e -> e.onSettled(
                h.now, Settlement.processed(FROM_A, gen, 1).failed(2, "failed").retryAfter(0)));
        settle(h);
        assertThat(deliveredSeqs(b)).containsExactly(2L);
        assertThat(markers(b)).isEmpty();
        assertThat(h.node("a").acked.get(TO_B)).isEqualTo(3);
    }
}
