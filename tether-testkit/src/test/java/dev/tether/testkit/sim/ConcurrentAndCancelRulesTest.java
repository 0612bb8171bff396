package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryEvent.AheadStored;
import dev.tether.testkit.sim.HistoryEvent.CancelRequested;
import dev.tether.testkit.sim.HistoryEvent.CancelledInRun;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.ConcurrentLanes;
import dev.tether.testkit.sim.HistoryEvent.Crashed;
import dev.tether.testkit.sim.HistoryEvent.CursorCommitted;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.DroppedAtSender;
import dev.tether.testkit.sim.HistoryEvent.Withdrawn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker's rules for concurrent handlers and cancelled calls, on hand-made histories of one stream a -> b on lane
 * "work" (messages 1..n with ids 101..), so that each rule is seen to pass what it must and catch what it must.
 */
class ConcurrentAndCancelRulesTest {
    private final List<HistoryEvent> h = new ArrayList<>();
    private long t;

    private ConcurrentAndCancelRulesTest stored(int n) {
        for (int seq = 1; seq <= n; seq++) h.add(new Committed(++t, "a", "b", "work", seq, 100 + seq, 0));
        return this;
    }

    /** Message {@code seq} started by b's application: {@code ok} or failing. */
    private void start(long seq, boolean redelivery, boolean ok) {
        h.add(new Delivered(++t, "b", "a", "work", seq, 100 + seq, redelivery, 1, ok));
    }

    private CheckReport report() {
        return HistoryChecker.check(h);
    }

    private static void only(CheckReport r, Kind kind) {
        for (Kind k : Kind.values()) {
            assertThat(r.count(k)).as(k + " in " + r).isEqualTo(k == kind ? r.count(kind) : 0);
        }
        assertThat(r.count(kind)).as(r.toString()).isPositive();
    }

    @Test
    void aConcurrentHandlerStartsInOrderWhileEarlierOnesRun() {
        h.add(new ConcurrentLanes(0, 3));
        stored(4);
        start(1, false, false); // fails, but 2 and 3 started meanwhile
        start(2, false, true);
        start(3, false, true);
        h.add(new AheadStored(++t, "b", "a", "work", 2));
        h.add(new AheadStored(++t, "b", "a", "work", 3));
        start(1, true, true); // the retry; 2 and 3 are acknowledged without a start
        start(4, false, true);
        h.add(new CursorCommitted(++t, "b", "a", "work", 4));
        assertThat(report().clean()).as(report().toString()).isTrue();
    }

    @Test
    void withoutConcurrentLanesAStartWhileAnEarlierMessageRunsIsAGap() {
        stored(2);
        start(1, false, false);
        start(2, false, true);
        start(1, true, true);
        only(report(), Kind.REORDERED);
    }

    @Test
    void aConcurrentStartPastAMessageThatNeverStartedIsAGap() {
        h.add(new ConcurrentLanes(0, 4));
        stored(3);
        start(1, false, false);
        start(3, false, true); // 2 never started
        start(1, true, true);
        start(2, false, true);
        only(report(), Kind.REORDERED);
    }

    @Test
    void moreRunningThanTheLimitIsCaught() {
        h.add(new ConcurrentLanes(0, 2));
        stored(3);
        start(1, false, false);
        start(2, false, false);
        start(3, false, true); // 1 and 2 still unsettled: three at once
        start(1, true, true);
        start(2, true, true);
        only(report(), Kind.REORDERED);
    }

    @Test
    void aMessageCompletedAheadIsNeverStartedAgainEvenAfterACrash() {
        h.add(new ConcurrentLanes(0, 4));
        stored(2);
        start(1, false, false);
        start(2, false, true);
        h.add(new AheadStored(++t, "b", "a", "work", 2));
        h.add(new Crashed(++t, "b"));
        start(1, true, true);
        start(2, true, true); // flagged and after a crash, which would excuse it without the stored marker
        only(report(), Kind.DUPLICATED);
    }

    @Test
    void aCancelledCallNeedNotBeTakenCareOfAndLaterOnesMayPassIt() {
        stored(3);
        start(1, false, true);
        h.add(new CancelRequested(++t, "a", "b", "work", 2, 102));
        start(3, false, true); // 2 was withdrawn without a word from the receiver
        h.add(new CursorCommitted(++t, "b", "a", "work", 3));
        h.add(new Withdrawn(++t, "a", "b", "work", 2));
        assertThat(report().clean()).as(report().toString()).isTrue();
    }

    @Test
    void aCallCancelledAfterItStartedMayStillCompleteOnce() {
        stored(1);
        start(1, false, true);
        h.add(new CancelRequested(++t, "a", "b", "work", 1, 101));
        assertThat(report().clean()).as(report().toString()).isTrue();
    }

    @Test
    void settlingAsCancelledWhatNobodyCancelledIsALoss() {
        stored(2);
        h.add(new CancelledInRun(++t, "b", "a", "work", 1));
        start(2, false, true);
        assertThat(report().examples(Kind.LOST)).anyMatch(x -> x.contains("although its sender never cancelled it"));

        h.clear();
        stored(1);
        start(1, false, true);
        h.add(new Withdrawn(++t, "a", "b", "work", 1));
        only(report(), Kind.LOST);
    }

    @Test
    void aCallCancelledInItsRunIsTakenCareOf() {
        stored(2);
        h.add(new CancelRequested(++t, "a", "b", "work", 1, 101));
        h.add(new CancelledInRun(++t, "b", "a", "work", 1));
        start(2, false, true);
        h.add(new Withdrawn(++t, "a", "b", "work", 1));
        assertThat(report().clean()).as(report().toString()).isTrue();
    }

    @Test
    void aMessageHandedOutAfterItsSenderLearntItWasWithdrawnIsCaught() {
        stored(1);
        h.add(new CancelRequested(++t, "a", "b", "work", 1, 101));
        h.add(new Withdrawn(++t, "a", "b", "work", 1));
        start(1, false, true);
        only(report(), Kind.DUPLICATED);
    }

    /** A drop at the sender (DROP_OLDEST) settles the message in no order; later messages may pass it. */
    @Test
    void aMessageDroppedAtTheSenderIsTakenCareOfAndLaterOnesMayPassIt() {
        stored(3);
        h.add(new DroppedAtSender(++t, "a", "b", "work", 2));
        start(1, false, true);
        start(3, false, true);
        h.add(new CursorCommitted(++t, "b", "a", "work", 3));
        assertThat(report().clean()).as(report().toString()).isTrue();
    }

    /**
     * The window the drop's durability closes: the sender was told DROPPED, crashed before the drop was stored, and
     * its next process sent the message, which the receiver handed out after its successors.
     */
    @Test
    void aMessageHandedOutAfterItsSenderWasToldItWasDroppedIsCaught() {
        stored(2);
        h.add(new DroppedAtSender(++t, "a", "b", "work", 1));
        start(2, false, true);
        h.add(new Crashed(++t, "a"));
        h.add(new Crashed(++t, "b"));
        start(1, true, true);
        CheckReport r = report();
        assertThat(r.examples(Kind.DUPLICATED)).anyMatch(x -> x.contains("told it was dropped"));
        assertThat(r.count(Kind.REORDERED)).as(r.toString()).isPositive(); // after its successor

        h.clear();
        stored(1);
        start(1, false, true);
        h.add(new DroppedAtSender(++t, "a", "b", "work", 1));
        only(report(), Kind.ANOMALY); // a transmitted message is never dropped
    }
}
