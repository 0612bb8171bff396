package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryEvent.CursorCommitted;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.DeliveredInGeneration;
import dev.tether.testkit.sim.HistoryEvent.Published;
import dev.tether.testkit.sim.HistoryEvent.ReaderRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-made histories for the channel rules per join generation ({@link ChannelRules}): reader {@code a} joins
 * publisher {@code p}'s log (generation 1), takes message 1, is handed out 2, leaves with 2 and 3 not taken care of,
 * joins again at the log's end 4 (generation 2; its cursor moves to 4), and gets 5. Good ones are clean; bad ones are
 * caught, and the same bad histories without the generations are not (what the generations add).
 */
class ChannelGenerationRulesTest {
    private static final String LANE = "_c.news";
    private final List<HistoryEvent> h = new ArrayList<>();
    private long time;

    private void publish(long seq) {
        h.add(new Published(++time, "p", LANE, seq, 100 + seq, 0));
    }

    private void row(long cursor) {
        h.add(new ReaderRow(++time, "p", "a", LANE, cursor));
    }

    /** {@code a} processes {@code seq}, which reached it in {@code generation} (0: not recorded). */
    private void deliver(long seq, int generation) {
        if (generation > 0) h.add(new DeliveredInGeneration(++time, "a", "p", LANE, seq, generation));
        h.add(new Delivered(++time, "a", "p", LANE, seq, 100 + seq, false, 1, true));
    }

    /** Generation 1 takes 1, leaves with 2 and 3 owed; generation 2 starts at 4, the reader's cursor moved there. */
    private void joinLeaveJoinAgain(boolean cursorMoved) {
        row(0);
        publish(1);
        publish(2);
        publish(3);
        deliver(1, 1);
        row(-1);
        publish(4);
        row(4);
        if (cursorMoved) h.add(new CursorCommitted(++time, "a", "p", LANE, 4));
        publish(5);
    }

    private static List<HistoryEvent> withoutGenerations(List<HistoryEvent> history) {
        return history.stream()
                .filter(e -> !(e instanceof DeliveredInGeneration))
                .toList();
    }

    @Test
    void aRunOfAnEndedGenerationMayFinishAfterTheJoinAgain() {
        joinLeaveJoinAgain(true);
        deliver(2, 1); // handed out before the leave, processed after the join again, below the moved cursor
        deliver(5, 2);

        CheckReport r = HistoryChecker.check(h);

        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals()).containsEntry("channelJoinsAgain", 1L).containsEntry("deliveredInEndedGeneration", 1L);
    }

    @Test
    void aRunOfAnEndedGenerationMayRetryAMessageThatFailed() {
        row(0);
        publish(1);
        h.add(new DeliveredInGeneration(++time, "a", "p", LANE, 1, 1));
        h.add(new Delivered(++time, "a", "p", LANE, 1, 101, false, 1, false)); // failed, to be retried
        row(-1);
        publish(2);
        row(2);
        h.add(new CursorCommitted(++time, "a", "p", LANE, 2));
        h.add(new DeliveredInGeneration(++time, "a", "p", LANE, 1, 1));
        h.add(new Delivered(++time, "a", "p", LANE, 1, 101, true, 2, true)); // the retry, after the join again

        CheckReport r = HistoryChecker.check(h);

        assertThat(r.clean()).as(r.toString()).isTrue();
        // Without the generation the checker cannot tell it from a duplicate below the cursor.
        assertThat(HistoryChecker.check(withoutGenerations(h)).count(Kind.DUPLICATED))
                .isEqualTo(1);
    }

    @Test
    void aRunOfAnEndedGenerationMayHandOutAgainAfterACrashOnlyWhatTheReaderHadNotCommitted() {
        assertThat(crashThenJoinAgain(false).clean()).isTrue();
        assertThat(crashThenJoinAgain(true).count(Kind.DUPLICATED)).isEqualTo(1);
    }

    /** Generation 1 takes 1 (its cursor committed past it or not), the reader crashes, joins again, gets 1 again. */
    private CheckReport crashThenJoinAgain(boolean committedPastIt) {
        h.clear();
        row(0);
        publish(1);
        deliver(1, 1);
        if (committedPastIt) h.add(new CursorCommitted(++time, "a", "p", LANE, 1));
        h.add(new HistoryEvent.Crashed(++time, "a")); // 1 comes again, flagged, unless the cursor passed it
        row(-1);
        publish(2);
        row(2);
        h.add(new CursorCommitted(++time, "a", "p", LANE, 2)); // the join again moved it
        h.add(new DeliveredInGeneration(++time, "a", "p", LANE, 1, 1));
        h.add(new Delivered(++time, "a", "p", LANE, 1, 101, true, 1, true)); // the run of generation 1 went on
        CheckReport r = HistoryChecker.check(h);
        assertThat(r.count(Kind.LOST) + r.count(Kind.PHANTOM) + r.count(Kind.ANOMALY))
                .as(r.toString())
                .isZero();
        return r;
    }

    @Test
    void aMessageLeftBehindByAnEarlierGenerationIsNotTheNextOnes() {
        joinLeaveJoinAgain(false);
        deliver(3, 2); // published while generation 1 was joined, never owed to generation 2
        deliver(5, 2);

        CheckReport r = HistoryChecker.check(h);

        assertThat(r.count(Kind.PHANTOM)).as(r.toString()).isEqualTo(1);
        assertThat(r.examples(Kind.PHANTOM).get(0)).contains("p->a/_c.news#3", "never owed");
        assertThat(HistoryChecker.check(withoutGenerations(h)).clean()).isTrue();
    }

    @Test
    void belowTheMovedCursorOnlyAnEndedGenerationMayDeliver() {
        joinLeaveJoinAgain(true);
        deliver(2, 2); // as if the new generation had handed it out: a duplicate of what the join again passed

        CheckReport r = HistoryChecker.check(h);

        assertThat(r.count(Kind.DUPLICATED)).as(r.toString()).isEqualTo(1);
        assertThat(r.examples(Kind.DUPLICATED).get(0)).contains("committed its cursor at #4");
        assertThat(HistoryChecker.check(withoutGenerations(h)).count(Kind.DUPLICATED))
                .isZero();
    }

    @Test
    void aGenerationTheReaderNeverJoinedIsAnAnomaly() {
        joinLeaveJoinAgain(true);
        deliver(5, 3);

        CheckReport r = HistoryChecker.check(h);

        assertThat(r.count(Kind.ANOMALY)).as(r.toString()).isEqualTo(1);
        assertThat(r.examples(Kind.ANOMALY).get(0)).contains("generation 3", "joined 2 times");
    }

    @Test
    void anEndedGenerationsRunIsStillProcessedOnlyOnce() {
        joinLeaveJoinAgain(true);
        deliver(2, 1);
        deliver(2, 1);

        CheckReport r = HistoryChecker.check(h);

        assertThat(r.count(Kind.DUPLICATED)).as(r.toString()).isPositive();
    }
}
