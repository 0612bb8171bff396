package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.AckMode;
import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RemoteHandlerException;
import dev.tether.Reply;
import dev.tether.RetryPolicy;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.TransactionClosedException;
import dev.tether.TransactionalCallHandler;
import dev.tether.TransactionalHandler;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;
import org.sqlite.jdbc4.JDBC4PreparedStatement;

/**
 * Transactional handlers on real SQLite files (FSYNC): a handler's writes to the application's own table commit with
 * its message's acknowledgment; a throwing handler's writes are undone and its message redelivered; the handle is
 * useless after the call; a request's writes commit with its reply; a store without transactions is refused.
 */
class TransactionalHandlerTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final String UPSERT =
            "INSERT INTO counts (k, n) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = n + 1";

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    private final AtomicInteger commits = new AtomicInteger();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
    }

    private Path bFile() {
        return dir.resolve("b.db");
    }

    private TetherNode sender() {
        return start(TetherConfig.builder(A)
                .peers(B)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.FSYNC));
    }

    private TetherConfig.Builder receiver() {
        createCounts(bFile());
        return TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(new SqliteStore(bFile()))
                .durability(Durability.FSYNC)
                .retryPolicy(new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(5), 2.0))
                .commitObserver((nanos, entries, messages, committed) -> commits.incrementAndGet());
    }

    private TetherNode start(TetherConfig.Builder b) {
        TetherNode n = Tether.start(b.build());
        nodes.add(n);
        return n;
    }

    static void createCounts(Path file) {
        ApplicationTables.create(file, "CREATE TABLE IF NOT EXISTS counts (k TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    }

    static Map<String, Long> counts(Path file) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT k, n FROM counts")) {
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        }
        return out;
    }

    private static void count(SqliteTransaction tx, String key) throws SQLException {
        PreparedStatement ps = tx.prepare(UPSERT);
        ps.setString(1, key);
        ps.executeUpdate();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyMessageCountedOnceAndManyShareACommit() throws Exception {
        TetherNode b = start(receiver()
                .handler(TransactionalHandler.inTransaction(
                        SqliteTransaction.class, (d, tx) -> count(tx, new String(d.payloadBytes(), "UTF-8")))));
        TetherNode a = sender();
        int n = 2000;
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < n; i++) receipts.add(a.send(B, bytes("m" + i)));
        for (SendReceipt r : receipts)
            assertThat(r.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        b.shutdown(Duration.ofSeconds(5));
        Map<String, Long> counts = counts(bFile());
        assertThat(counts).hasSize(n);
        assertThat(counts.values()).containsOnly(1L);
        // Group commit: the effects of many messages share a commit (each commit of b is one fsync).
        assertThat(commits.get()).isLessThan(n / 4);
    }

    @Test
    void throwsAmongPipelinedMessagesLeaveEveryMessageCountedOnce() throws Exception {
        // Messages share savepoints: each throw undoes the messages before it under the same one and runs them again.
        TetherNode b = start(receiver().handler(TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
            String key = new String(d.payloadBytes(), StandardCharsets.UTF_8);
            count(tx, key);
            if (d.seq() % 97 == 0 && d.attempt() == 1) throw new IllegalStateException("first attempt");
        })));
        TetherNode a = sender();
        int n = 2000;
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < n; i++) receipts.add(a.send(B, bytes("m" + i)));
        for (SendReceipt r : receipts)
            assertThat(r.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        b.shutdown(Duration.ofSeconds(5));
        Map<String, Long> counts = counts(bFile());
        assertThat(counts).hasSize(n);
        assertThat(counts.values()).containsOnly(1L);
    }

    @Test
    void aThrowingHandlerLeavesNoWritesAndItsMessageIsRedelivered() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        TetherNode b = start(receiver().handler(TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
            String key = new String(d.payloadBytes(), StandardCharsets.UTF_8);
            count(tx, key);
            count(tx, key + "-side");
            if (key.equals("bad") && d.attempt() < 3) {
                attempts.add(d.attempt());
                throw new IllegalStateException("failing attempt " + d.attempt());
            }
            if (key.equals("bad")) attempts.add(d.attempt());
        })));
        TetherNode a = sender();
        a.send(B, bytes("before")).processed().get(30, TimeUnit.SECONDS);
        assertThat(a.send(B, bytes("bad")).processed().get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        a.send(B, bytes("after")).processed().get(30, TimeUnit.SECONDS);
        b.shutdown(Duration.ofSeconds(5));
        assertThat(attempts).containsExactly(1, 2, 3);
        assertThat(counts(bFile()))
                .containsOnly(
                        Map.entry("before", 1L),
                        Map.entry("before-side", 1L),
                        Map.entry("bad", 1L),
                        Map.entry("bad-side", 1L),
                        Map.entry("after", 1L),
                        Map.entry("after-side", 1L));
    }

    @Test
    void aVolatileMessageNeverReachesATransactionalHandlerAndIsDroppedAfterItsAttempts() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        start(receiver().handler(TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
            String key = new String(d.payloadBytes(), StandardCharsets.UTF_8);
            seen.add(key);
            count(tx, key);
        })));
        TetherNode a = sender();
        SendReceipt v = a.send(dev.tether.OutboundMessage.to(B)
                .volatileDelivery()
                .payload(bytes("volatile"))
                .build());
        assertThat(v.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(a.send(B, bytes("durable")).processed().get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(seen).containsExactly("durable");
        assertThat(counts(bFile())).containsOnly(Map.entry("durable", 1L));
    }

    @Test
    void theHandleAndEverythingFromItFailAfterTheCallAndCannotEndTheTransaction() throws Exception {
        AtomicReference<SqliteTransaction> kept = new AtomicReference<>();
        AtomicReference<Connection> keptConnection = new AtomicReference<>();
        AtomicReference<PreparedStatement> keptStatement = new AtomicReference<>();
        AtomicReference<PreparedStatement> keptPrepared = new AtomicReference<>();
        List<String> refusals = new CopyOnWriteArrayList<>();
        List<String> ackRefusals = new CopyOnWriteArrayList<>();
        TetherNode b = start(receiver().handler(TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
            kept.set(tx);
            Connection c = tx.connection();
            keptConnection.set(c);
            keptStatement.set(c.prepareStatement(UPSERT));
            keptPrepared.set(tx.prepare(UPSERT));
            for (String sql : List.of("COMMIT", "  rollback", "/* x */ BEGIN", "SAVEPOINT s", "release s", "END")) {
                try (Statement s = c.createStatement()) {
                    s.execute(sql);
                } catch (TransactionClosedException e) {
                    refusals.add(sql);
                }
            }
            try {
                c.commit();
            } catch (TransactionClosedException e) {
                refusals.add("commit()");
            }
            try {
                d.ack();
            } catch (IllegalStateException e) {
                ackRefusals.add(e.getMessage());
            }
            count(tx, "done");
        })));
        TetherNode a = sender();
        assertThat(a.send(B, bytes("x")).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(refusals).hasSize(7);
        assertThat(ackRefusals).hasSize(1);
        assertThat(kept.get().isOpen()).isFalse();
        assertThatThrownBy(() -> kept.get().connection()).isInstanceOf(TransactionClosedException.class);
        assertThatThrownBy(() -> kept.get().prepare("SELECT 1")).isInstanceOf(TransactionClosedException.class);
        assertThatThrownBy(() -> keptConnection.get().createStatement())
                .isInstanceOf(TransactionClosedException.class)
                .hasMessageContaining("valid only");
        assertThatThrownBy(() -> keptStatement.get().executeUpdate()).isInstanceOf(TransactionClosedException.class);
        assertThatThrownBy(() -> keptPrepared.get().executeUpdate()).isInstanceOf(TransactionClosedException.class);
        b.shutdown(Duration.ofSeconds(5));
        assertThat(counts(bFile())).containsOnly(Map.entry("done", 1L));
    }

    /** unwrap gave the store's own connection, on which commit, rollback and close worked (tidy6). */
    @Test
    void theGuardedConnectionAndStatementsUnwrapOnlyToThemselves() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        TetherNode b = start(receiver().handler(TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
            Connection c = tx.connection();
            Connection unwrapped = c.unwrap(Connection.class);
            seen.add("same connection " + (unwrapped == c) + ", wrapper for SQLiteConnection "
                    + c.isWrapperFor(SQLiteConnection.class));
            try {
                unwrapped.commit();
            } catch (TransactionClosedException e) {
                seen.add("commit refused");
            }
            for (Class<?> raw : List.of(SQLiteConnection.class, Statement.class)) {
                try {
                    c.unwrap(raw);
                } catch (SQLException e) {
                    seen.add("unwrap refused");
                }
            }
            PreparedStatement ps = tx.prepare(UPSERT);
            seen.add("same statement " + (ps.unwrap(PreparedStatement.class) == ps) + ", statement's connection "
                    + "guarded " + (ps.getConnection() != null && !(ps.getConnection() instanceof SQLiteConnection)));
            try {
                ps.unwrap(JDBC4PreparedStatement.class);
            } catch (SQLException e) {
                seen.add("statement unwrap refused");
            }
            count(tx, "done");
        })));
        TetherNode a = sender();
        assertThat(a.send(B, bytes("x")).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(seen)
                .containsExactly(
                        "same connection true, wrapper for SQLiteConnection false",
                        "commit refused",
                        "unwrap refused",
                        "unwrap refused",
                        "same statement true, statement's connection guarded true",
                        "statement unwrap refused");
        b.shutdown(Duration.ofSeconds(5));
        assertThat(counts(bFile())).containsOnly(Map.entry("done", 1L));
    }

    @Test
    void aRequestsWritesCommitWithItsReplyAndAThrowingOneWithItsError() throws Exception {
        TetherNode b = start(receiver()
                .handle("count", TransactionalCallHandler.inTransaction(SqliteTransaction.class, (call, tx) -> {
                    String key = new String(call.payloadBytes(), StandardCharsets.UTF_8);
                    count(tx, key);
                    if (key.startsWith("bad")) throw new IllegalArgumentException("no " + key);
                    try (ResultSet rs = tx.connection()
                            .createStatement()
                            .executeQuery("SELECT n FROM counts WHERE k = '" + key + "'")) {
                        return bytes(key + "=" + rs.getLong(1));
                    }
                })));
        TetherNode a = sender();
        Reply r = a.call(B, "count").request(bytes("k1")).get(30, TimeUnit.SECONDS);
        assertThat(new String(r.payloadBytes(), StandardCharsets.UTF_8)).isEqualTo("k1=1");
        r = a.call(B, "count").request(bytes("k1")).get(30, TimeUnit.SECONDS);
        assertThat(new String(r.payloadBytes(), StandardCharsets.UTF_8)).isEqualTo("k1=2");
        assertThatThrownBy(() -> a.call(B, "count").request(bytes("bad1")).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RemoteHandlerException.class)
                .hasMessageContaining("no bad1");
        a.call(B, "count").sync(bytes("k2")).get(30, TimeUnit.SECONDS);
        b.shutdown(Duration.ofSeconds(5));
        assertThat(counts(bFile())).containsOnly(Map.entry("k1", 2L), Map.entry("k2", 1L));
    }

    @Test
    void aStoreWithoutTransactionsIsRefusedAtBuild() {
        TetherConfig.Builder memory = TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY);
        assertThatThrownBy(() -> memory.handler(TransactionalHandler.inTransaction(
                                SqliteTransaction.class, (Delivery d, SqliteTransaction tx) -> {}))
                        .build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("InMemoryStore")
                .hasMessageContaining("SqliteTransaction");
        TetherConfig.Builder named = TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handle("x", TransactionalCallHandler.inTransaction(SqliteTransaction.class, (call, tx) -> null));
        assertThatThrownBy(named::build)
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("handle(x)");
    }

    @Test
    void registeringOnARunningNodeWithoutTransactionsIsRefused() {
        TetherNode m = start(TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY));
        assertThatThrownBy(
                        () -> m.handle("x", TransactionalCallHandler.inTransaction(Connection.class, (c, tx) -> null)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("InMemoryStore");
    }

    /** docs/EXACTLY-ONCE.md: a transactional handler acknowledges by returning, so AckMode.MANUAL is refused. */
    @Test
    void manualAckModeWithATransactionalHandlerIsRefusedAtBuild() {
        TetherConfig.Builder manual = receiver()
                .ackMode(AckMode.MANUAL)
                .handler(TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> count(tx, "x")));
        assertThatThrownBy(manual::build)
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("ackMode MANUAL")
                .hasMessageContaining("AckMode.AUTO");
        manual.ackMode(AckMode.AUTO).build();
    }

    /** docs/EXACTLY-ONCE.md: nothing of a volatile call is stored, so nothing could commit its handler's writes. */
    @Test
    void aVolatileCallToATransactionalHandlerFailsAndWritesNothing() throws Exception {
        TetherNode b = start(receiver()
                .handle("count", TransactionalCallHandler.inTransaction(SqliteTransaction.class, (call, tx) -> {
                    count(tx, new String(call.payloadBytes(), StandardCharsets.UTF_8));
                    return bytes("ok");
                })));
        TetherNode a = sender();
        assertThatThrownBy(() -> a.call(B, "count")
                        .volatileDelivery()
                        .request(bytes("volatile"))
                        .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RemoteHandlerException.class)
                .hasMessageContaining("durable calls only");
        // A durable call to the same handler commits its write: the refusal was the volatile call's.
        assertThat(a.call(B, "count")
                        .request(bytes("durable"))
                        .get(30, TimeUnit.SECONDS)
                        .payloadBytes())
                .isEqualTo(bytes("ok"));
        b.shutdown(Duration.ofSeconds(5));
        assertThat(counts(bFile())).containsOnly(Map.entry("durable", 1L));
    }
}
