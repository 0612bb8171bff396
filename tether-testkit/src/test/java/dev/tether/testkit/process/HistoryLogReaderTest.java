package dev.tether.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.testkit.sim.CheckReport;
import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryChecker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-written process histories through {@link HistoryLog}, {@link HistoryLogReader} and the checker. */
class HistoryLogReaderTest {
    private static final int SIZE = 32;

    @TempDir
    Path dir;

    private final List<HistoryLogReader.Run> runs = new ArrayList<>();

    private HistoryLog run(boolean killed, String... nodes) {
        Path file = dir.resolve("run-" + runs.size() + ".log");
        runs.add(new HistoryLogReader.Run(file, List.of(nodes), killed));
        return HistoryLog.create(file);
    }

    private static void send(HistoryLog log, long msgId, long seq) {
        log.sending("a", "b", "l", msgId);
        if (seq > 0) log.accepted("a", "b", "l", msgId, seq);
    }

    private static void deliver(HistoryLog log, long seq, long msgId, boolean redelivery) {
        log.delivered("b", "a", "l", seq, msgId, redelivery, 1, HistoryLog.crc(HistoryLog.payloadFor(msgId, SIZE)));
    }

    private CheckReport check() {
        return HistoryChecker.check(HistoryLogReader.read(runs, SIZE));
    }

    @Test
    void killedRunsWithUnloggedCommitsAndACutOffLineReadClean() throws IOException {
        try (HistoryLog log = run(true, "a", "b")) {
            send(log, 101, 1);
            deliver(log, 1, 101, false);
            log.cursorCommitted("b", "a", "l", 1);
            log.trimmed("a", "b", "l", 1);
            send(log, 102, 0); // committed, but killed before the acceptance was logged
            deliver(log, 2, 102, false); // processed, killed before the cursor commit
        }
        Files.writeString(runs.get(0).log(), "17 D b a", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (HistoryLog log = run(false, "a", "b")) {
            deliver(log, 2, 102, true);
            log.cursorCommitted("b", "a", "l", 2);
            log.finalStream("a", "b", "l", 2, 2);
        }

        CheckReport r = check();

        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals()).containsEntry("committed", 2L).containsEntry("crashes", 2L);
    }

    private static void publish(HistoryLog log, long msgId, long seq, boolean rowLogged) {
        log.sending("p", "p", "_c.news", msgId);
        if (rowLogged) log.published("p", "_c.news", seq, msgId);
        if (rowLogged) log.accepted("p", "p", "_c.news", msgId, seq);
    }

    private static void deliverPublish(HistoryLog log, long seq, long msgId) {
        log.delivered("r", "p", "_c.news", seq, msgId, false, 1, HistoryLog.crc(HistoryLog.payloadFor(msgId, SIZE)));
    }

    @Test
    void aChannelHistoryWithALogRowAKillCutOffReadsClean() {
        try (HistoryLog log = run(true, "p", "r")) {
            publish(log, 201, 1, true); // before the reader's join: owed to nobody
            log.readerRow("p", "r", "_c.news", 1);
            log.cursorCommitted("r", "p", "_ch", 1); // the join itself: a lane of Tether's own, skipped
            log.trimmed("p", "r", "_ch", 1);
            publish(log, 202, 2, true);
            publish(log, 203, 3, false); // stored, but killed before the row and the acceptance were logged
        }
        try (HistoryLog log = run(false, "p", "r")) {
            deliverPublish(log, 2, 202);
            deliverPublish(log, 3, 203);
            log.cursorCommitted("r", "p", "_c.news", 3);
            log.readerRow("p", "r", "_c.news", 3);
            log.finalStream("p", "r", "_c.news", 3, 3);
            log.finalStream("p", "r", "_ch", 1, 1);
        }

        CheckReport r = check();

        assertThat(r.clean()).as(r.toString()).isTrue();
        assertThat(r.totals()).containsEntry("published", 3L).containsEntry("deliveredOnChannels", 2L);
    }

    @Test
    void aPublishOwedToAReaderAndNeverDeliveredIsLost() {
        try (HistoryLog log = run(false, "p", "r")) {
            log.readerRow("p", "r", "_c.news", 0);
            publish(log, 201, 1, true);
            publish(log, 202, 2, true);
            deliverPublish(log, 2, 202);
            log.finalStream("p", "r", "_c.news", 2, 2);
        }

        CheckReport r = check();

        assertThat(r.clean()).isFalse();
        assertThat(r.toString()).contains("201");
    }

    @Test
    void anAcceptedMessageNeverDeliveredIsLost() {
        try (HistoryLog log = run(true, "a", "b")) {
            send(log, 101, 1);
        }
        try (HistoryLog log = run(false, "a", "b")) {
            log.finalStream("a", "b", "l", 1, 1);
        }

        CheckReport r = check();

        assertThat(r.count(Kind.LOST)).as(r.toString()).isEqualTo(1);
    }

    @Test
    void aSequenceNumberNeitherLoggedNorDeliveredIsLost() {
        try (HistoryLog log = run(false, "a", "b")) {
            send(log, 101, 1);
            send(log, 102, 0);
            deliver(log, 1, 101, false);
            log.finalStream("a", "b", "l", 2, 2);
        }

        CheckReport r = check();

        assertThat(r.count(Kind.LOST)).as(r.toString()).isEqualTo(1);
        assertThat(r.examples(Kind.LOST).get(0)).contains("#2");
    }

    @Test
    void aRedeliveryAfterTheCursorCommitIsADuplicateDespiteTheKill() {
        try (HistoryLog log = run(true, "a", "b")) {
            send(log, 101, 1);
            deliver(log, 1, 101, false);
            log.cursorCommitted("b", "a", "l", 1);
        }
        try (HistoryLog log = run(false, "a", "b")) {
            deliver(log, 1, 101, true);
            log.finalStream("a", "b", "l", 1, 1);
        }

        CheckReport r = check();

        assertThat(r.count(Kind.DUPLICATED)).as(r.toString()).isEqualTo(1);
    }

    @Test
    void unsentOrCorruptedOrMisnumberedMessagesAreReported() {
        try (HistoryLog log = run(false, "a", "b")) {
            deliver(log, 1, 999, false); // never sent: phantom
            send(log, 102, 2);
            log.delivered("b", "a", "l", 2, 102, false, 1, 12345); // wrong checksum
            send(log, 103, 2); // the same seq again: reuse
        }

        CheckReport r = check();

        assertThat(r.count(Kind.PHANTOM)).as(r.toString()).isPositive();
        assertThat(r.count(Kind.ANOMALY)).as(r.toString()).isGreaterThanOrEqualTo(2);
        assertThat(r.toString()).contains("does not match message 102").contains("seq reused");
    }

    @Test
    void aStreamThatDidNotDrainIsALivenessFailure() {
        try (HistoryLog log = run(false, "a", "b")) {
            send(log, 101, 1);
            deliver(log, 1, 101, false);
            log.finalStream("a", "b", "l", 1, 0);
        }

        assertThat(check().count(Kind.LIVENESS)).isEqualTo(1);
    }

    @Test
    void aCutOffLineInACleanRunIsAnError() throws IOException {
        run(false, "a").close();
        Files.writeString(runs.get(0).log(), "17 S a b", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> HistoryLogReader.read(runs, SIZE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cut off");
    }

    @Test
    void payloadsCarryTheirIdAndFieldsMustBeWords() {
        assertThat(HistoryLog.msgIdOf(HistoryLog.payloadFor(42, SIZE))).isEqualTo(42);
        assertThat(HistoryLog.payloadFor(42, SIZE)).isNotEqualTo(HistoryLog.payloadFor(43, SIZE));
        try (HistoryLog log = run(false, "a")) {
            assertThatThrownBy(() -> log.sending("a", "b c", "l", 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
