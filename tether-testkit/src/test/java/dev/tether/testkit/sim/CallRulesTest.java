package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryEvent.CallCompleted;
import dev.tether.testkit.sim.HistoryEvent.CallWaiting;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.Crashed;
import dev.tether.testkit.sim.HistoryEvent.CursorCommitted;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.Expired;
import dev.tether.testkit.sim.HistoryEvent.ReplyMade;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-made histories of requests, good and bad: the checker's call rules ({@link CallRules}) must reject each
 * broken one. a calls b with request msg 101 (deadline 1000) on lane l; b answers with reply msg 201 on "_reply".
 */
class CallRulesTest {
    private static final long DEADLINE = 1_000;
    private final List<HistoryEvent> h = new ArrayList<>();
    private long time;

    private void request() {
        h.add(new CallWaiting(++time, "a", 101, DEADLINE));
        h.add(new Committed(++time, "a", "b", "l", 1, 101, DEADLINE));
    }

    private void handled(boolean redelivery) {
        h.add(new Delivered(++time, "b", "a", "l", 1, 101, redelivery, 1, true));
    }

    private void reply(long replyMsgId, long seq) {
        h.add(new ReplyMade(++time, "b", 101, replyMsgId));
        h.add(new Committed(++time, "b", "a", "_reply", seq, replyMsgId, DEADLINE));
    }

    private void cursor() {
        h.add(new CursorCommitted(++time, "b", "a", "l", 1));
    }

    private void replyArrives(long replyMsgId, long seq) {
        h.add(new Delivered(++time, "a", "b", "_reply", seq, replyMsgId, false, 1, true));
    }

    private void completed(String how) {
        h.add(new CallCompleted(++time, "a", 101, how));
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
    }

    @Test
    void aRequestAnsweredWithItsCursorIsClean() {
        request();
        handled(false);
        reply(201, 1);
        cursor(); // the same batch: the reply's append is recorded before the cursor
        replyArrives(201, 1);
        completed("reply");
        CheckReport r = check();
        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals()).containsEntry("requests", 1L).containsEntry("repliesCommitted", 1L);
    }

    @Test
    void detectsARequestAcknowledgedBeforeItsReplyWasStored() {
        request();
        handled(false);
        h.add(new ReplyMade(++time, "b", 101, 201));
        cursor();
        h.add(new Committed(++time, "b", "a", "_reply", 1, 201, DEADLINE)); // a later batch: not atomic
        replyArrives(201, 1);
        completed("reply");
        assertOnly(check(), Kind.LOST);
    }

    @Test
    void aCrashBeforeTheCommitLetsTheRequestRunAgainWithOneReply() {
        request();
        handled(false);
        h.add(new ReplyMade(++time, "b", 101, 201)); // its batch never committed
        h.add(new Crashed(++time, "b"));
        handled(true);
        reply(202, 1);
        cursor();
        replyArrives(202, 1);
        completed("reply");
        CheckReport r = check();
        assertThat(r.clean()).as(r.toString()).isTrue();
    }

    @Test
    void aRequestExpiredAfterAnUncommittedRunNeedsNoReply() {
        request();
        handled(false);
        h.add(new Crashed(++time, "b"));
        h.add(new Expired(DEADLINE, "b", "a", "l", 1));
        time = DEADLINE;
        cursor();
        completed("deadline");
        CheckReport r = check();
        assertThat(r.clean()).as(r.toString()).isTrue();
    }

    @Test
    void detectsASecondCommittedReply() {
        request();
        handled(false);
        reply(201, 1);
        cursor();
        h.add(new Crashed(++time, "b"));
        handled(true); // a redelivery after the cursor: caught as a duplicate delivery too
        reply(202, 2);
        replyArrives(201, 1);
        replyArrives(202, 2);
        completed("reply");
        CheckReport r = check();
        assertThat(r.examples(Kind.DUPLICATED)).anySatisfy(e -> assertThat(e).contains("second committed reply"));
    }

    @Test
    void detectsAFutureCompletedTwice() {
        request();
        handled(false);
        reply(201, 1);
        cursor();
        replyArrives(201, 1);
        completed("reply");
        completed("deadline");
        assertOnly(check(), Kind.DUPLICATED);
    }

    @Test
    void detectsAFutureThatNeverCompletesAndExcusesOneWhoseCallerCrashed() {
        request();
        time = DEADLINE + 1;
        h.add(new Expired(time, "b", "a", "l", 1));
        assertOnly(check(), Kind.LIVENESS);

        h.clear();
        time = 0;
        request();
        h.add(new Crashed(++time, "a"));
        time = DEADLINE + 1;
        h.add(new Expired(time, "b", "a", "l", 1));
        CheckReport r = check();
        assertThat(r.clean()).as(r.toString()).isTrue();
    }

    @Test
    void detectsAReplyCompletingAFutureAtItsDeadline() {
        request();
        handled(false);
        reply(201, 1);
        cursor();
        time = DEADLINE - 1;
        replyArrives(201, 1);
        h.add(new CallCompleted(DEADLINE, "a", 101, "reply"));
        assertOnly(check(), Kind.LATE);
    }
}
