package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryEvent.Accepted;
import dev.tether.testkit.sim.HistoryEvent.Acked;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.Published;
import dev.tether.testkit.sim.HistoryEvent.ReaderRow;
import dev.tether.testkit.sim.HistoryEvent.Sent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-made channel histories for {@link HistoryChecker}'s channel rule: each reader gets every message published
 * after its join, once, in order per publisher; good ones are clean, bad ones are caught as what they are.
 */
class ChannelRulesTest {
    private static final String LANE = "_c.news";
    private final List<HistoryEvent> h = new ArrayList<>();
    private long time;

    private void publish(long seq) {
        h.add(new Published(++time, "p", LANE, seq, 100 + seq, 0));
    }

    private void row(String reader, long cursor) {
        h.add(new ReaderRow(++time, "p", reader, LANE, cursor));
    }

    private void deliver(String reader, long seq) {
        h.add(new Delivered(++time, reader, "p", LANE, seq, 100 + seq, false, 1, true));
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
    void readersThatGetEverythingAfterTheirJoinInOrderAreClean() {
        publish(1);
        row("a", 1); // joins after 1
        row("b", 0); // joins from the start
        publish(2);
        publish(3);
        for (long s = 1; s <= 3; s++) deliver("b", s);
        deliver("a", 2);
        deliver("a", 3);
        row("a", 3);
        h.add(new Acked(++time, "p", "b", LANE, 3));
        row("b", 3);
        h.add(new Sent(++time, "p", 7, 104, "p", LANE));
        publish(4);
        h.add(new Accepted(++time, "p", 7, "p", LANE, 4));
        deliver("a", 4);
        deliver("b", 4);

        CheckReport r = check();

        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals()).containsEntry("published", 4L).containsEntry("channelJoins", 2L);
    }

    @Test
    void messagesTheReaderReportedMissedByRetentionMayBeLackingAndNoOthers() {
        row("a", 0);
        for (long s = 1; s <= 5; s++) publish(s);
        h.add(new HistoryEvent.Missed(++time, "a", "p", LANE, 1, 3)); // the publisher's retention took 1..3
        deliver("a", 4);
        deliver("a", 5);
        CheckReport r = check();
        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals()).containsEntry("missedByRetention", 3L);

        h.clear();
        row("a", 0);
        for (long s = 1; s <= 5; s++) publish(s);
        h.add(new HistoryEvent.Missed(++time, "a", "p", LANE, 1, 2)); // 3 is lacking, unreported
        deliver("a", 4);
        deliver("a", 5);
        assertThat(check().count(Kind.LOST)).isPositive();
    }

    @Test
    void aMessageReportedMissedAfterTheSameReaderProcessProcessedItIsAnAnomaly() {
        row("a", 0);
        publish(1);
        deliver("a", 1);
        h.add(new HistoryEvent.Missed(++time, "a", "p", LANE, 1, 1));
        assertThat(check().count(Kind.ANOMALY)).isPositive();

        h.clear(); // processed by a process that crashed before its cursor was stored: missed after all
        row("a", 0);
        publish(1);
        deliver("a", 1);
        h.add(new HistoryEvent.Crashed(++time, "a"));
        h.add(new HistoryEvent.Missed(++time, "a", "p", LANE, 1, 1));
        CheckReport r = check();
        assertThat(r.count(Kind.ANOMALY)).as(r.toString()).isZero();
    }

    @Test
    void aMessagePublishedAfterTheJoinThatNeverArrivesIsLost() {
        row("a", 0);
        publish(1);
        publish(2);
        deliver("a", 1);
        assertOnly(check(), Kind.LOST);
    }

    @Test
    void aMessagePublishedBeforeTheJoinIsNotOwedAndDeliveringItIsAPhantom() {
        publish(1);
        publish(2);
        row("a", 1);
        deliver("a", 2);
        assertThat(check().clean()).isTrue();

        h.clear();
        publish(1);
        row("a", 1);
        deliver("a", 1);
        assertOnly(check(), Kind.PHANTOM);
    }

    @Test
    void aReaderRowPastWhatTheReaderDidNotGetIsALoss() {
        row("a", 0);
        publish(1);
        publish(2);
        deliver("a", 1);
        row("a", 2); // the publisher would trim 2
        deliver("a", 2);
        assertOnly(check(), Kind.LOST);
    }

    @Test
    void aMessageDeliveredTwiceOrOutOfOrderIsCaught() {
        row("a", 0);
        publish(1);
        publish(2);
        deliver("a", 1);
        deliver("a", 1);
        deliver("a", 2);
        assertOnly(check(), Kind.DUPLICATED);

        h.clear();
        row("a", 0);
        publish(1);
        publish(2);
        deliver("a", 2);
        deliver("a", 1);
        assertOnly(check(), Kind.REORDERED);
    }

    @Test
    void aReaderThatLeftIsOwedNothingMoreUntilItJoinsAgain() {
        row("a", 0);
        publish(1);
        publish(2);
        deliver("a", 1);
        row("a", -1); // leaves with 2 not taken care of
        publish(3);
        assertThat(check().clean()).as(check().toString()).isTrue();
        row("a", 3); // joins again after 3
        publish(4);
        deliver("a", 4);
        assertThat(check().clean()).as(check().toString()).isTrue();
        assertThat(check().totals()).containsEntry("channelLeaves", 1L).containsEntry("channelJoins", 2L);
    }

    @Test
    void aReusedLogNumberAndAMismatchedPublishAreAnomalies() {
        publish(1);
        h.add(new Published(++time, "p", LANE, 1, 999, 0));
        assertOnly(check(), Kind.ANOMALY);

        h.clear();
        h.add(new Sent(++time, "p", 7, 555, "p", LANE));
        publish(1);
        h.add(new Accepted(++time, "p", 7, "p", LANE, 1));
        assertOnly(check(), Kind.ANOMALY);
    }
}
