package dev.tether.store.sqlite;

import static dev.tether.store.sqlite.CrashFiles.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * A routing rule's copies and forwards across real crashes (docs/BUS-DESIGN.md, section 2.4: a route commits
 * atomically, each destination once): {@link RoutingCrashWorkload} runs a sender a, a router b whose rules copy lane
 * {@code l1} to endpoint {@code c/rec} and forward lane {@code l2} to node c, and c; b and c count the messages they
 * handle in their own tables, exactly once (transactional handlers). The test kills the child JVM with SIGKILL at
 * seeded points, between b's handler and its commit among them, many times over the same files, then a last run
 * drains everything. Then b handled each {@code l1} message exactly once and stored exactly one copy per {@code l1}
 * message a ever stored (its stream to c's {@code _a.rec} numbers one per message: numbers are gap-free and never
 * reused), and c counted each forwarded {@code l2} message exactly once, as many as a stored.
 *
 * <p>{@code -Dtether.crash.seed=N} replays a kill schedule; {@code -Dtether.routing.cycles=N} sets the number of
 * killed runs (default 6). Files stay in {@code target/crash-tests/routing-<seed>/}.
 */
class RoutingCrashTest {
    private final KillSchedule schedule = new KillSchedule("routing", "tether.routing.cycles");
    private final long seed = schedule.seed();

    @Test
    void eachCopyAndForwardIsStoredOnceAfterRepeatedSigkills() throws Exception {
        int quota = 4_000;
        Path dir = schedule.freshDir();
        schedule.killThenDrain(
                dir,
                quota,
                random -> KillPoint.draw(random, quota * 3 / 4, quota / 2), // b handles 2 of 3
                this::child);
        check(dir);
    }

    private void check(Path dir) throws SQLException {
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        Path c = dir.resolve("c.db");
        long l1 = queryLong(a, "SELECT last_seq FROM streams WHERE peer = 'b' AND lane = 'l1'");
        long l2 = queryLong(a, "SELECT last_seq FROM streams WHERE peer = 'b' AND lane = 'l2'");
        long handledAtB = queryLong(b, "SELECT count(*) FROM app_counts");
        long maxAtB = queryLong(b, "SELECT max(n) FROM app_counts");
        long copies = queryLong(b, "SELECT last_seq FROM streams WHERE peer = 'c' AND lane = '_a.rec'");
        long forwards = queryLong(b, "SELECT last_seq FROM streams WHERE peer = 'c' AND lane = 'l2'");
        long handledAtC = queryLong(c, "SELECT count(*) FROM app_counts");
        long maxAtC = queryLong(c, "SELECT max(n) FROM app_counts");
        long l2AtC = queryLong(c, "SELECT count(*) FROM app_counts WHERE k LIKE 'l2-%'");
        String summary = String.format(
                "seed %d: a stored %d on l1 and %d on l2; b handled %d keys (max count %d), stored %d copies and %d"
                        + " forwards; c counted %d keys (%d of l2, max count %d)",
                seed, l1, l2, handledAtB, maxAtB, copies, forwards, handledAtC, l2AtC, maxAtC);
        System.out.println("routing crash " + summary);
        assertThat(l1).as(summary).isPositive();
        assertThat(l2).as(summary).isPositive();
        assertThat(maxAtB).as("an l1 message handled twice at b: " + summary).isEqualTo(1);
        assertThat(handledAtB).as(summary).isEqualTo(l1);
        assertThat(copies).as("one copy per l1 message: " + summary).isEqualTo(l1);
        assertThat(forwards).as("one forward per l2 message: " + summary).isEqualTo(l2);
        assertThat(maxAtC).as("a forward counted twice at c: " + summary).isEqualTo(1);
        assertThat(handledAtC).as(summary).isEqualTo(l2);
        assertThat(l2AtC).as(summary).isEqualTo(l2);
    }

    private ChildJvm child(Path dir, int run, int quota, boolean drain) {
        return ChildJvm.builder(RoutingCrashWorkload.class)
                .name("routing-" + run)
                .heap("128m")
                .args(dir.toString(), Integer.toString(run), Integer.toString(quota), Boolean.toString(drain))
                .start();
    }
}
