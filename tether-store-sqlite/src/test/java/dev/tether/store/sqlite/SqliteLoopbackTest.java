package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node sending to itself on a SQLite file at FSYNC (loopback streams, docs/PROTOCOL.md "Loopback streams"): one
 * outbox row per message and no cursor row (the receiving position is the outbox's trim), and a node killed with
 * messages unprocessed delivers them again from the file, flagged.
 */
class SqliteLoopbackTest {
    private static final NodeId A = NodeId.of("a");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<Boolean> flags = new CopyOnWriteArrayList<>();
    /** Messages the store appended, over every commit ({@code CommitObserver}). */
    private final AtomicLong appended = new AtomicLong();

    private Path file() {
        return dir.resolve("tether-a.db");
    }

    private TetherNode node(String blockOn, CountDownLatch gate) {
        return Tether.start(TetherConfig.builder(A)
                .transport(new InMemoryNetwork().newTransport())
                .store(new SqliteStore(file()))
                .durability(Durability.FSYNC)
                .commitObserver((nanos, entries, messages, committed) -> {
                    if (committed) appended.addAndGet(messages);
                })
                .handler(d -> {
                    String p = new String(d.payloadBytes(), StandardCharsets.UTF_8);
                    seen.add(p);
                    flags.add(d.isRedelivery());
                    if (p.equals(blockOn)) gate.await();
                })
                .build());
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    @Test
    void oneOutboxRowPerMessageAndNoCursorRow() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        TetherNode a = node("m0", gate);
        try {
            List<SendReceipt> rs = new ArrayList<>();
            for (int i = 0; i < 200; i++) rs.add(a.send(A, "l", ("m" + i).getBytes(StandardCharsets.UTF_8)));
            for (SendReceipt r : rs) r.accepted().get(30, TimeUnit.SECONDS);
            // The handler holds m0: everything is stored once, and nothing has a cursor row.
            assertThat(count("SELECT count(*) FROM outbox WHERE peer = 'a' AND lane = 'l'"))
                    .isEqualTo(200);
            assertThat(count("SELECT count(*) FROM cursors")).isZero();
            gate.countDown();
            for (SendReceipt r : rs)
                assertThat(r.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);

            assertThat(seen).hasSize(200).startsWith("m0", "m1").endsWith("m199");
            assertThat(appended.get()).isEqualTo(200);
            assertThat(count("SELECT count(*) FROM outbox")).isZero();
            assertThat(count("SELECT count(*) FROM cursors")).isZero();
            assertThat(count("SELECT acked_seq FROM streams WHERE peer = 'a' AND lane = 'l'"))
                    .isEqualTo(200);
        } finally {
            gate.countDown();
            a.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aKilledNodeDeliversWhatItHadNotProcessedAgainFromTheFile() throws Exception {
        CountDownLatch never = new CountDownLatch(1); // the killed node's handler stays blocked until the end
        try {
            TetherNode a = node("k5", never);
            List<SendReceipt> rs = new ArrayList<>();
            for (int i = 0; i < 10; i++) rs.add(a.send(A, "l", ("k" + i).getBytes(StandardCharsets.UTF_8)));
            rs.get(4).processed().get(30, TimeUnit.SECONDS); // the trim up to k4 is on disk
            rs.get(9).accepted().get(30, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> seen.contains("k5"), () -> "k5 handed out");
            NodeCrash.crash(a);
            seen.clear();
            flags.clear();

            TetherNode b = node("none", new CountDownLatch(0));
            try {
                Await.until(DEADLINE, () -> seen.size() >= 5, () -> "redelivered: " + seen);
                assertThat(seen).containsExactly("k5", "k6", "k7", "k8", "k9");
                assertThat(flags).containsOnly(true);
                b.send(A, "l", "k10".getBytes(StandardCharsets.UTF_8))
                        .processed()
                        .get(30, TimeUnit.SECONDS);
                assertThat(seen).endsWith("k9", "k10");
                assertThat(flags.get(flags.size() - 1)).isFalse();
                assertThat(count("SELECT count(*) FROM cursors")).isZero();
            } finally {
                b.shutdown(Duration.ofSeconds(5));
            }
        } finally {
            never.countDown();
        }
    }
}
