package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryEvent.Accepted;
import dev.tether.testkit.sim.HistoryEvent.Acked;
import dev.tether.testkit.sim.HistoryEvent.Anomaly;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.Crashed;
import dev.tether.testkit.sim.HistoryEvent.CursorCommitted;
import dev.tether.testkit.sim.HistoryEvent.DeadLettered;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.Expired;
import dev.tether.testkit.sim.HistoryEvent.Restarted;
import dev.tether.testkit.sim.HistoryEvent.Resynced;
import dev.tether.testkit.sim.HistoryEvent.SendExpired;
import dev.tether.testkit.sim.HistoryEvent.Sent;
import dev.tether.testkit.sim.HistoryEvent.Stuck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made histories, good and bad, so that the checker itself cannot silently pass everything. */
class HistoryCheckerTest {
    private final List<HistoryEvent> h = new ArrayList<>();
    private long time;

    private void commit(long seq, long msgId) {
        commit(seq, msgId, 0);
    }

    private void commit(long seq, long msgId, long expiresAt) {
        h.add(new Committed(++time, "a", "b", "l", seq, msgId, expiresAt));
    }

    private void deliver(long seq, long msgId, boolean redelivery, boolean ok) {
        h.add(new Delivered(++time, "b", "a", "l", seq, msgId, redelivery, 1, ok));
    }

    private void process(long seq) {
        deliver(seq, 100 + seq, false, true);
    }

    /** Messages 1..n (msg ids 101..) committed. */
    private void commitAll(int n) {
        for (int i = 1; i <= n; i++) commit(i, 100 + i);
    }

    private CheckReport check() {
        return HistoryChecker.check(h);
    }

    private static void assertOnly(CheckReport r, Kind kind) {
        assertThat(r.clean()).as(r.toString()).isFalse();
        for (Kind k : Kind.values()) {
            if (k == kind) assertThat(r.count(k)).as(r.toString()).isPositive();
            else assertThat(r.count(k)).as(k + " in " + r).isZero();
        }
        assertThat(r.examples(kind)).isNotEmpty();
    }

    @Test
    void aCorrectHistoryIsClean() {
        h.add(new Sent(0, "a", 1, 101, "b", "l"));
        commitAll(5);
        h.add(new Accepted(++time, "a", 1, "b", "l", 1));
        process(1);
        process(2);
        deliver(3, 103, false, false); // fails once
        deliver(3, 103, true, false); // and again
        h.add(new DeadLettered(++time, "b", "a", "l", 3));
        process(4);
        h.add(new Acked(++time, "a", "b", "l", 4));
        process(5);
        h.add(new Acked(++time, "a", "b", "l", 5));

        CheckReport r = check();

        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals()).containsEntry("committed", 5L).containsEntry("processed", 4L);
    }

    @Test
    void aRedeliveryAfterAReceiverCrashIsAllowedWhenFlagged() {
        commitAll(3);
        process(1);
        process(2);
        h.add(new Crashed(++time, "b"));
        h.add(new Restarted(++time, "b"));
        deliver(2, 102, true, true);
        process(3);

        assertThat(check().clean()).as(check().toString()).isTrue();
    }

    @Test
    void aRedeliveryAfterACrashBeforeTheCursorCommitIsAllowedWhenFlagged() {
        commitAll(3);
        process(1);
        h.add(new CursorCommitted(++time, "b", "a", "l", 1));
        process(2); // processed, but the crash comes before its cursor commit
        h.add(new Crashed(++time, "b"));
        h.add(new Restarted(++time, "b"));
        deliver(2, 102, true, true);
        h.add(new CursorCommitted(++time, "b", "a", "l", 2));
        process(3);
        h.add(new CursorCommitted(++time, "b", "a", "l", 3));

        assertThat(check().clean()).as(check().toString()).isTrue();
    }

    @Test
    void detectsARedeliveryAfterTheCursorCommitEvenAfterACrash() {
        commitAll(2);
        process(1);
        process(2);
        h.add(new CursorCommitted(++time, "b", "a", "l", 2));
        h.add(new Crashed(++time, "b"));
        h.add(new Restarted(++time, "b"));
        deliver(2, 102, true, true);

        CheckReport r = check();

        assertOnly(r, Kind.DUPLICATED);
        assertThat(r.examples(Kind.DUPLICATED).get(0)).contains("committed its cursor at #2");
    }

    @Test
    void detectsAPrematureCursorCommit() {
        commitAll(2);
        process(1);
        h.add(new CursorCommitted(++time, "b", "a", "l", 2));

        CheckReport r = check();

        assertThat(r.count(Kind.LOST)).as(r.toString()).isPositive();
        assertThat(r.examples(Kind.LOST).get(0)).contains("premature cursor");
    }

    @Test
    void expiryAfterTheDeadlineIsAllowed() {
        commit(1, 101, 5);
        commit(2, 102);
        time = 10;
        h.add(new Expired(++time, "b", "a", "l", 1));
        process(2);

        assertThat(check().clean()).as(check().toString()).isTrue();
    }

    @Test
    void detectsALostMessage() {
        commitAll(3);
        process(1);
        process(2);

        CheckReport r = check();

        assertOnly(r, Kind.LOST);
        assertThat(r.examples(Kind.LOST).get(0)).contains("msg 103");
    }

    @Test
    void detectsAPrematureAck() {
        commitAll(2);
        process(1);
        h.add(new Acked(++time, "a", "b", "l", 2));
        process(2);

        CheckReport r = check();

        assertOnly(r, Kind.LOST);
        assertThat(r.examples(Kind.LOST).get(0)).contains("premature ack");
    }

    @Test
    void detectsAnExpiryBeforeTheDeadline() {
        commit(1, 101, 1_000);
        h.add(new Expired(++time, "b", "a", "l", 1));

        assertOnly(check(), Kind.LOST);
    }

    @Test
    void aDeliveryBeforeTheDeadlineIsAllowed() {
        commit(1, 101, 5);
        time = 3;
        process(1); // at t=4

        assertThat(check().clean()).as(check().toString()).isTrue();
    }

    @Test
    void detectsAMessageHandedOutAtOrAfterItsDeadline() {
        commit(1, 101, 5);
        commit(2, 102, 9);
        time = 4;
        process(1); // at t=5: the deadline itself is too late
        time = 20;
        deliver(2, 102, false, false); // a failed attempt is a hand-out too
        h.add(new Expired(++time, "b", "a", "l", 2));

        CheckReport r = check();

        assertOnly(r, Kind.LATE);
        assertThat(r.count(Kind.LATE)).isEqualTo(2);
        assertThat(r.examples(Kind.LATE).get(0)).contains("deadline 5");
    }

    @Test
    void theSenderMayExpireAnyUntransmittedMessageAfterItsDeadlineAndTheReceiverSkipItsPlace() {
        commit(1, 101, 5);
        commit(2, 102);
        commit(3, 103, 6);
        commit(4, 104);
        time = 10;
        h.add(new SendExpired(++time, "a", "b", "l", 3)); // a middle one first: no gap rule at the sender
        h.add(new SendExpired(++time, "a", "b", "l", 1));
        h.add(new Resynced(++time, "b", "a", "l", 1, "sender reports messages taken care of beyond this cursor"));
        h.add(new CursorCommitted(++time, "b", "a", "l", 1));
        process(2);
        h.add(new Expired(++time, "b", "a", "l", 3)); // the marker in its place
        process(4);

        CheckReport r = check();

        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals()).containsEntry("expiredAtSender", 2L).containsEntry("resyncs", 1L);
    }

    @Test
    void detectsASenderExpiryBeforeTheDeadline() {
        commit(1, 101, 1_000);
        h.add(new SendExpired(++time, "a", "b", "l", 1));

        assertOnly(check(), Kind.LOST);
    }

    @Test
    void detectsASenderExpiryOfAMessageTheApplicationGot() {
        commit(1, 101, 5);
        time = 3;
        process(1);
        time = 10;
        h.add(new SendExpired(++time, "a", "b", "l", 1));

        assertOnly(check(), Kind.ANOMALY);
    }

    @Test
    void detectsAResyncSkippingAMessageNotTakenCareOf() {
        commitAll(2);
        process(1);
        h.add(new Resynced(++time, "b", "a", "l", 2, "sender reports messages taken care of beyond this cursor"));

        CheckReport r = check();

        assertThat(r.count(Kind.LOST)).as(r.toString()).isPositive();
        assertThat(r.examples(Kind.LOST).get(0)).contains("resync skipped");
    }

    @Test
    void detectsADeadLetterWithoutFailure() {
        commitAll(1);
        h.add(new DeadLettered(++time, "b", "a", "l", 1));

        assertOnly(check(), Kind.LOST);
    }

    @Test
    void detectsADuplicateWithoutACrash() {
        commitAll(2);
        process(1);
        deliver(1, 101, true, true); // flagged, but the receiver did not crash
        process(2);

        CheckReport r = check();

        assertOnly(r, Kind.DUPLICATED);
        assertThat(r.examples(Kind.DUPLICATED).get(0)).contains("did not crash");
    }

    @Test
    void detectsADeliveryOfAProcessedMessageEvenIfItFails() {
        commitAll(1);
        process(1);
        deliver(1, 101, true, false);

        assertOnly(check(), Kind.DUPLICATED);
    }

    @Test
    void detectsAnUnflaggedRedelivery() {
        commitAll(2);
        process(1);
        h.add(new Crashed(++time, "b"));
        deliver(1, 101, false, true); // allowed after the crash, but must be flagged
        process(2);

        CheckReport r = check();

        assertOnly(r, Kind.DUPLICATED);
        assertThat(r.examples(Kind.DUPLICATED).get(0)).contains("without the redelivery flag");
    }

    @Test
    void detectsAnUnflaggedRetryAfterAFailure() {
        commitAll(1);
        deliver(1, 101, false, false); // the handler failed: the application saw it
        deliver(1, 101, false, true);

        CheckReport r = check();

        assertOnly(r, Kind.DUPLICATED);
        assertThat(r.examples(Kind.DUPLICATED).get(0)).contains("without the redelivery flag");
    }

    @Test
    void detectsAnUnflaggedDeliveryOfAMessageAFormerIncarnationFailedOn() {
        commitAll(1);
        deliver(1, 101, false, false);
        h.add(new Crashed(++time, "b"));
        h.add(new Restarted(++time, "b"));
        deliver(1, 101, false, true); // attempt 1 again for the new process, but not new to the application

        assertOnly(check(), Kind.DUPLICATED);
    }

    @Test
    void totalsMeasureThePrecisionOfTheRedeliveryFlag() {
        commitAll(4);
        deliver(1, 101, false, false);
        deliver(1, 101, true, true); // true: handed out before
        deliver(2, 102, true, true); // needless, no crash yet
        h.add(new Crashed(++time, "b"));
        h.add(new Restarted(++time, "b"));
        deliver(3, 103, true, true); // needless, after a crash
        process(4);

        CheckReport r = check();

        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals())
                .containsEntry("redelivered", 3L)
                .containsEntry("redeliveredTruly", 1L)
                .containsEntry("redeliveredNeedlessly", 2L)
                .containsEntry("redeliveredNeedlesslyUncrashed", 1L);
    }

    @Test
    void aCrashOfTheSenderDoesNotExcuseADuplicate() {
        commitAll(1);
        process(1);
        h.add(new Crashed(++time, "a"));
        deliver(1, 101, true, true);

        assertOnly(check(), Kind.DUPLICATED);
    }

    @Test
    void detectsAReorder() {
        commitAll(3);
        process(1);
        process(3);
        process(2);

        CheckReport r = check();

        assertOnly(r, Kind.REORDERED);
        assertThat(String.join("\n", r.examples(Kind.REORDERED)))
                .contains("first delivery of a->b/l#2 after first delivery of #3")
                .contains("gap");
    }

    @Test
    void detectsAGap() {
        commitAll(3);
        process(1);
        process(3); // #2 skipped and never taken care of

        CheckReport r = check();

        assertThat(r.count(Kind.REORDERED)).as(r.toString()).isEqualTo(1);
        assertThat(r.count(Kind.LOST)).as(r.toString()).isEqualTo(1);
        assertThat(r.examples(Kind.REORDERED).get(0)).contains("gap").contains("#2");
    }

    @Test
    void detectsAPhantomMessage() {
        commitAll(1);
        process(1);
        deliver(2, 102, false, true); // never committed

        assertOnly(check(), Kind.PHANTOM);
    }

    @Test
    void detectsAMessageDeliveredWithOtherContent() {
        commitAll(2);
        process(1);
        deliver(2, 999, false, true);
        process(2);

        CheckReport r = check();

        assertThat(r.count(Kind.PHANTOM)).as(r.toString()).isEqualTo(1);
        assertThat(r.examples(Kind.PHANTOM).get(0)).contains("committed as msg 102");
    }

    @Test
    void streamsAreCheckedSeparately() {
        commitAll(1);
        h.add(new Committed(++time, "a", "c", "l", 1, 201, 0));
        h.add(new Delivered(++time, "c", "a", "l", 1, 201, false, 1, true));
        process(1);

        assertThat(check().clean()).as(check().toString()).isTrue();
    }

    @Test
    void reportsAnomaliesAndLiveness() {
        h.add(new Sent(++time, "a", 7, 107, "b", "l"));
        h.add(new Anomaly(++time, "a", "protocol error"));
        h.add(new Stuck(++time, "not drained"));

        CheckReport r = check();

        assertThat(r.count(Kind.ANOMALY)).isEqualTo(1);
        assertThat(r.count(Kind.LIVENESS)).isEqualTo(2); // stuck, and send 7 never answered
        assertThat(r.toString()).contains("stuck: not drained").contains("never accepted or rejected");
    }

    @Test
    void anUnansweredSendIsExcusedByACrashOfItsSender() {
        h.add(new Sent(++time, "a", 7, 107, "b", "l"));
        h.add(new Crashed(++time, "a"));

        assertThat(check().clean()).as(check().toString()).isTrue();
    }
}
