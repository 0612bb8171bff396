package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeadLetterLimits;
import dev.tether.DeadLetterStats;
import dev.tether.DeadLetterView;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.management.NodeManagement;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.ManualClock;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds of the dead-letter queue ({@link DeadLetterLimits}, docs/BUS-DESIGN.md section 5.2) on a node with a
 * SQLite file, sending to itself: exact counts by count, bytes and age (a manual clock), kept across a restart on the
 * same file, and REFUSE blocking a stream until a purge makes room. A message whose payload starts with "bad" fails
 * its one attempt.
 */
class DeadLetterLimitsTest {
    private static final NodeId A = NodeId.of("a");
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final RetryPolicy ONE_ATTEMPT = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0);
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T0);
    private final List<TetherEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private TetherNode node;

    @AfterEach
    void stop() {
        if (node != null) node.shutdown(Duration.ofSeconds(5));
    }

    private TetherNode start(DeadLetterLimits limits) {
        events.clear();
        node = Tether.start(TetherConfig.builder(A)
                .transport(new InMemoryNetwork().newTransport())
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.FSYNC)
                .clock(clock)
                .retryPolicy(ONE_ATTEMPT)
                .deadLetters(limits)
                .listener(events::add)
                .handler(d -> {
                    String p = new String(d.payloadBytes(), StandardCharsets.UTF_8);
                    handled.add(p);
                    if (p.startsWith("bad")) throw new IllegalStateException("refused " + p);
                })
                .build());
        return node;
    }

    private void restart(DeadLetterLimits limits) {
        node.shutdown(Duration.ofSeconds(5));
        node = null;
        start(limits);
    }

    /** Sends {@code payloads} on {@code lane}, returns the receipts once every one is settled. */
    private List<SendReceipt> sendAll(String lane, String... payloads) throws Exception {
        List<SendReceipt> rs = new ArrayList<>();
        for (String p : payloads) rs.add(node.send(A, lane, p.getBytes(StandardCharsets.UTF_8)));
        for (SendReceipt r : rs) r.processed().get(30, TimeUnit.SECONDS);
        return rs;
    }

    private static String[] bad(int from, int to, int size) {
        String[] l = new String[to - from + 1];
        for (int i = from; i <= to; i++)
            l[i - from] = ("bad" + i + "-").repeat(size).substring(0, Math.max(size, 4));
        return l;
    }

    private DeadLetterStats stats() {
        return node.stats().deadLetters();
    }

    private List<Long> storedSeqs() {
        return node.deadLetters(1000).stream().map(DeadLetterView::seq).toList();
    }

    private long rows() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("a.db"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM dead_letters")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long evictedInEvents() {
        return events.stream()
                .filter(e -> e instanceof TetherEvent.DeadLettersEvicted)
                .mapToLong(e -> ((TetherEvent.DeadLettersEvicted) e).count())
                .sum();
    }

    @Test
    void dropOldestKeepsTheNewestByCountExactlyAcrossARestart() throws Exception {
        start(DeadLetterLimits.of(5, 1L << 20, Duration.ofDays(30)));
        List<SendReceipt> rs = sendAll("l", bad(1, 12, 4));
        assertThat(rs).allSatisfy(r -> assertThat(r.processed().get()).isEqualTo(Outcome.DEAD_LETTERED));

        Await.until(DEADLINE, () -> stats().evicted() == 7, () -> "7 evicted: " + stats());
        DeadLetterStats s = stats();
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.bytes()).isEqualTo(5 * 4);
        assertThat(storedSeqs()).containsExactly(8L, 9L, 10L, 11L, 12L);
        Await.until(DEADLINE, () -> evictedInEvents() == 7, () -> "events: " + events);
        assertThat(rows()).isEqualTo(5);

        // A lower bound after a restart: the index read from the file decides, the first batch removes the oldest two.
        restart(DeadLetterLimits.of(3, 1L << 20, Duration.ofDays(30)));
        Await.until(DEADLINE, () -> stats().evicted() == 2, () -> "2 evicted after the restart: " + stats());
        assertThat(storedSeqs()).containsExactly(10L, 11L, 12L);
        assertThat(stats().count()).isEqualTo(3);
        sendAll("l", bad(13, 13, 4));
        Await.until(DEADLINE, () -> stats().evicted() == 3, () -> "3 evicted: " + stats());
        assertThat(storedSeqs()).containsExactly(11L, 12L, 13L);
        assertThat(rows()).isEqualTo(3);
    }

    @Test
    void dropOldestKeepsWithinTheBytesBound() throws Exception {
        start(DeadLetterLimits.of(1000, 1000, Duration.ofDays(30)));
        sendAll("l", bad(1, 5, 300));
        Await.until(DEADLINE, () -> stats().evicted() == 2, () -> "2 evicted: " + stats());
        assertThat(stats().count()).isEqualTo(3);
        assertThat(stats().bytes()).isEqualTo(900);
        assertThat(storedSeqs()).containsExactly(3L, 4L, 5L);

        // One larger than the bound itself makes room for nothing: it is stored and removed in one batch.
        sendAll("l", bad(6, 6, 1500));
        Await.until(DEADLINE, () -> stats().evicted() == 6, () -> "6 evicted: " + stats());
        assertThat(stats().count()).isZero();
        assertThat(stats().bytes()).isZero();
        assertThat(rows()).isZero();
        Await.until(DEADLINE, () -> evictedInEvents() == 6, () -> "events: " + events);
    }

    @Test
    void theAgeSweepRemovesWhatIsOlderThanMaxAgeAlsoAfterARestart() throws Exception {
        DeadLetterLimits hour = DeadLetterLimits.of(1000, 1L << 20, Duration.ofHours(1));
        start(hour);
        sendAll("l", bad(1, 3, 4));
        clock.advance(Duration.ofMinutes(30));
        sendAll("l", bad(4, 5, 4));
        assertThat(stats().count()).isEqualTo(5);

        clock.advance(Duration.ofMinutes(31)); // the first three are 61 minutes old, the others 31
        Await.until(DEADLINE, () -> stats().expired() == 3, () -> "3 expired: " + stats());
        assertThat(storedSeqs()).containsExactly(4L, 5L);
        assertThat(stats().oldestAtMillis())
                .isEqualTo(T0 + Duration.ofMinutes(30).toMillis());

        restart(hour);
        assertThat(stats().count()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(30)); // the index read from the file gives their times: 61 minutes old
        Await.until(DEADLINE, () -> stats().expired() == 2, () -> "2 expired after the restart: " + stats());
        assertThat(storedSeqs()).isEmpty();
        assertThat(rows()).isZero();
        assertThat(stats().evicted()).isZero();
    }

    @Test
    void refuseBlocksTheStreamUntilAPurgeMakesRoom() throws Exception {
        start(DeadLetterLimits.of(3, 1L << 20, Duration.ofDays(30)).whenFull(DeadLetterLimits.WhenFull.REFUSE));
        sendAll("l", bad(1, 3, 4));
        assertThat(stats().count()).isEqualTo(3);

        SendReceipt refused = node.send(A, "l", "bad4".getBytes(StandardCharsets.UTF_8));
        SendReceipt after = node.send(A, "l", "ok5".getBytes(StandardCharsets.UTF_8));
        SendReceipt otherLane = node.send(A, "m", "ok6".getBytes(StandardCharsets.UTF_8));
        assertThat(otherLane.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> stats().refused() == 1, () -> "refused: " + stats());
        assertThat(stats().blockedStreams()).isEqualTo(1);
        assertThat(node.stats().stream(A, "l", dev.tether.StreamStats.Direction.INBOUND)
                        .blocked())
                .isTrue();
        assertThat(events)
                .anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TetherEvent.DeadLetterQueueFull.class, f -> {
                    assertThat(f.seq()).isEqualTo(4);
                    assertThat(f.reason()).contains("3 of 3 dead letters");
                }));
        assertThat(refused.processed()).isNotDone();
        assertThat(after.processed()).isNotDone();
        assertThat(handled).doesNotContain("ok5");
        assertThat(stats().count()).isEqualTo(3);
        assertThat(rows()).isEqualTo(3);

        NodeManagement m = Tether.management(node);
        assertThat(m.purgeDeadLetters(List.of(m.deadLetters(1, false).get(0).id())))
                .isEqualTo(1);
        // bad4 is handed out once more, fails, and now fits; ok5 follows.
        assertThat(refused.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(after.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(handled.stream().filter("bad4"::equals).count()).isEqualTo(2);
        assertThat(storedSeqs()).containsExactly(2L, 3L, 4L);
        DeadLetterStats s = stats();
        assertThat(s.refused()).isEqualTo(1);
        assertThat(s.blockedStreams()).isZero();
        assertThat(s.evicted()).isZero();
        assertThat(s.count()).isEqualTo(3);
    }
}
