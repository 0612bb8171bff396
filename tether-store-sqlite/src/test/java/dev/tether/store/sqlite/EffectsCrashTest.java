package dev.tether.store.sqlite;

import static dev.tether.store.sqlite.CrashFiles.queryLong;
import static dev.tether.store.sqlite.CrashFiles.queryText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once effects across real crashes: {@link EffectsCrashWorkload} runs a sender and a receiver whose
 * transactional handlers count every message and request in the application's own table; the test kills the child
 * JVM with SIGKILL at seeded points, many times over the same files, then a last run drains everything. Then every
 * key stored by the sender has a count of exactly 1, the totals equal the number of unique messages and requests the
 * sender ever stored (its streams' last sequence numbers: numbers are gap-free and never reused), and the receiver
 * stored exactly one reply per request. Each node's message history holds exactly one entry per message it stored for
 * sending and per message it settled, both ways.
 *
 * <p>{@code -Dtether.crash.seed=N} replays a kill schedule; {@code -Dtether.effects.cycles=N} sets the number of
 * killed runs (default 6; {@code -Psoak} runs 60). Files stay in {@code target/crash-tests/effects-<seed>/}.
 */
class EffectsCrashTest {
    private final KillSchedule schedule = new KillSchedule("effects", "tether.effects.cycles");
    private final long seed = schedule.seed();

    @Test
    void countersEqualTheUniqueMessagesAfterRepeatedSigkills() throws Exception {
        int quota = 4_000;
        Path dir = schedule.freshDir();
        schedule.killThenDrain(dir, quota, random -> KillPoint.draw(random, quota * 3 / 4, quota * 3 / 4), this::child);
        check(dir);
    }

    private void check(Path dir) throws SQLException {
        long messages = queryLong(dir.resolve("a.db"), "SELECT last_seq FROM streams WHERE peer = 'b' AND lane = 'l1'");
        long requests =
                queryLong(dir.resolve("a.db"), "SELECT last_seq FROM streams WHERE peer = 'b' AND lane = 'count'");
        Path b = dir.resolve("b.db");
        long keys = queryLong(b, "SELECT count(*) FROM app_counts");
        long maxCount = queryLong(b, "SELECT max(n) FROM app_counts");
        long totalMessages = queryLong(b, "SELECT n FROM app_totals WHERE kind = 'messages'");
        long totalRequests = queryLong(b, "SELECT n FROM app_totals WHERE kind = 'requests'");
        long replies = queryLong(b, "SELECT last_seq FROM streams WHERE peer = 'a' AND lane = '_reply'");
        String summary = String.format(
                "seed %d: a stored %d messages and %d requests; b counted %d keys, max count %d, totals %d + %d,"
                        + " %d replies stored",
                seed, messages, requests, keys, maxCount, totalMessages, totalRequests, replies);
        System.out.println("effects crash " + summary);
        assertThat(messages).as(summary).isPositive();
        assertThat(requests).as(summary).isPositive();
        assertThat(maxCount).as("a key counted twice: " + summary).isEqualTo(1);
        assertThat(keys).as(summary).isEqualTo(messages + requests);
        assertThat(totalMessages).as(summary).isEqualTo(messages);
        assertThat(totalRequests).as(summary).isEqualTo(requests);
        assertThat(replies).as("one reply per request: " + summary).isEqualTo(requests);
        checkHistory(dir, messages, requests);
    }

    /**
     * Each side's history holds exactly one entry per message it stored for sending and per message it settled: the
     * entries are written in the batches that store the messages and move the cursors, so a kill leaves both or none.
     */
    private void checkHistory(Path dir, long messages, long requests) throws SQLException {
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        String counts = "SELECT (count(*) - count(DISTINCT lane || '/' || seq)) || ' ' || count(*) FROM history";
        String summary = String.format(
                "seed %d: history (duplicates, entries): a out %s, a in %s, b in %s, b out %s",
                seed,
                queryText(a, counts + " WHERE dir = 1 AND peer = 'b'"),
                queryText(a, counts + " WHERE dir = 0 AND peer = 'b'"),
                queryText(b, counts + " WHERE dir = 0 AND peer = 'a'"),
                queryText(b, counts + " WHERE dir = 1 AND peer = 'a'"));
        System.out.println("effects crash " + summary);
        String one = counts + " WHERE dir = %d AND peer = '%s' AND kind = '%s'";
        assertThat(queryText(a, one.formatted(1, "b", "DIRECT"))).as(summary).isEqualTo("0 " + messages);
        assertThat(queryText(a, one.formatted(1, "b", "REQUEST"))).as(summary).isEqualTo("0 " + requests);
        assertThat(queryText(b, one.formatted(0, "a", "DIRECT"))).as(summary).isEqualTo("0 " + messages);
        assertThat(queryText(b, one.formatted(0, "a", "REQUEST"))).as(summary).isEqualTo("0 " + requests);
        assertThat(queryText(b, one.formatted(1, "a", "RESPONSE"))).as(summary).isEqualTo("0 " + requests);
        assertThat(queryText(a, one.formatted(0, "b", "RESPONSE"))).as(summary).isEqualTo("0 " + requests);
    }

    private ChildJvm child(Path dir, int run, int quota, boolean drain) {
        return ChildJvm.builder(EffectsCrashWorkload.class)
                .name("effects-" + run)
                .heap("128m")
                .args(dir.toString(), Integer.toString(run), Integer.toString(quota), Boolean.toString(drain))
                .start();
    }
}
