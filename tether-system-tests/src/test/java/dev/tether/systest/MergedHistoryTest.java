package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.HistoryLog;
import dev.tether.testkit.sim.CheckReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge of concurrent processes' logs: records of different processes in one millisecond, or a few apart, are
 * put in their causal order before the checker sees them.
 */
class MergedHistoryTest {
    private static final int SIZE = NodeWorkload.PAYLOAD;

    @TempDir
    Path dir;

    @Test
    void aReaderRowLoggedBeforeTheCursorCommitItFollowsIsMovedAfterIt() throws IOException {
        long t = 1_000_000;
        long m1 = 101, m2 = 102;
        Path p = dir.resolve("p.log");
        Path r = dir.resolve("r.log");
        // p's log: the join row, two publishes, then the row move that r's cursor commit caused: logged by p in the
        // same millisecond as r's delivery and commit of #2, and the next one a few milliseconds before r's commit
        Files.write(
                p,
                List.of(
                        t + " W p r _c.news 0",
                        t + " S p p _c.news " + m1,
                        t + " P p _c.news 1 " + m1,
                        t + " A p p _c.news " + m1 + " 1",
                        (t + 1) + " S p p _c.news " + m2,
                        (t + 1) + " P p _c.news 2 " + m2,
                        (t + 1) + " A p p _c.news " + m2 + " 2",
                        (t + 2) + " W p r _c.news 1",
                        (t + 3) + " W p r _c.news 2",
                        (t + 9) + " L p r _c.news 2 2"));
        Files.write(
                r,
                List.of(
                        (t + 2) + " D r p _c.news 1 " + m1 + " 0 1 " + crc(m1),
                        (t + 2) + " C r p _c.news 1",
                        (t + 3) + " D r p _c.news 2 " + m2 + " 0 1 " + crc(m2),
                        (t + 5) + " C r p _c.news 2"));
        MergedHistory h = new MergedHistory(dir);
        h.addLog(p);
        h.addLog(r);

        CheckReport report = h.check(SIZE);

        assertThat(report.clean()).as(report.toString()).isTrue();
        assertThat(report.totals()).containsEntry("published", 2L).containsEntry("deliveredOnChannels", 2L);
    }

    @Test
    void aReaderRowThatNoCursorCommitCoversIsStillReported() throws IOException {
        long t = 1_000_000;
        Path p = dir.resolve("p.log");
        Files.write(
                p,
                List.of(
                        t + " W p r _c.news 0",
                        t + " S p p _c.news 101",
                        t + " P p _c.news 1 101",
                        t + " A p p _c.news 101 1",
                        (t + 1) + " W p r _c.news 1",
                        (t + 2000) + " L p r _c.news 1 1"));
        MergedHistory h = new MergedHistory(dir);
        h.addLog(p);

        CheckReport report = h.check(SIZE);

        assertThat(report.clean()).isFalse();
        assertThat(report.toString()).contains("premature reader row");
    }

    private static long crc(long msgId) {
        return HistoryLog.crc(HistoryLog.payloadFor(msgId, SIZE));
    }
}
