package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.TransactionalCallHandler;
import dev.tether.TransactionalHandler;
import dev.tether.bus.HistoryOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process {@link EffectsCrashTest} kills: node {@code a} sends plain messages (lane {@code l1}) and durable
 * requests (handler {@code count}) to node {@code b}, both on SQLite files at {@link Durability#FSYNC} in this JVM.
 * b's transactional handlers add 1 to the row of each message's key in the application table {@code app_counts} and
 * to {@code app_totals}, in the transaction that commits the message's cursor (and, for a request, its reply). Both
 * nodes keep a message history (docs/OPERATIONS.md, "Message history"), written in the same batches.
 *
 * <p>Arguments: {@code dir run quota drain}. Keys are {@code s-<run>-<i>} and {@code q-<run>-<i>}, unique per send,
 * so a message handled twice shows as a count of 2. It prints {@code ready}, then {@code progress accepted=N
 * executed=M} every 10 ms (executed: handler calls, including those whose writes a kill or a failure undid). With
 * {@code drain} true it sends nothing, waits until a's streams are fully acknowledged, shuts down and exits 0 (2 if
 * it did not drain in time); otherwise it never exits by itself.
 */
public final class EffectsCrashWorkload {
    static final String TABLES_COUNTS =
            "CREATE TABLE IF NOT EXISTS app_counts (k TEXT PRIMARY KEY, n INTEGER NOT NULL)";
    static final String TABLES_TOTALS =
            "CREATE TABLE IF NOT EXISTS app_totals (kind TEXT PRIMARY KEY, n INTEGER NOT NULL)";
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int CHUNK = 200;

    private final Path dir;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong executed = new AtomicLong();

    private EffectsCrashWorkload(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int run = Integer.parseInt(args[1]);
        int quota = Integer.parseInt(args[2]);
        boolean drain = Boolean.parseBoolean(args[3]);
        System.exit(new EffectsCrashWorkload(dir).run(run, quota, drain));
    }

    private int run(int run, int quota, boolean drain) throws Exception {
        ApplicationTables.create(dir.resolve("b.db"), TABLES_COUNTS, TABLES_TOTALS);
        TetherNode b = Tether.start(config(B, A)
                .handler(TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
                    executed.incrementAndGet();
                    count(tx, new String(d.payloadBytes(), StandardCharsets.UTF_8), "messages");
                }))
                .handle("count", TransactionalCallHandler.inTransaction(SqliteTransaction.class, (call, tx) -> {
                    executed.incrementAndGet();
                    String key = new String(call.payloadBytes(), StandardCharsets.UTF_8);
                    count(tx, key, "requests");
                    return ("done " + key).getBytes(StandardCharsets.UTF_8);
                }))
                .build());
        TetherNode a = Tether.start(config(A, B).handler(d -> {}).build());
        System.out.println("ready");
        WorkloadNodes.printProgress(accepted, executed);
        if (drain) return WorkloadNodes.drain(executed, b, a);
        for (int from = 0; from < quota; from += CHUNK) {
            List<SendReceipt> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(quota, from + CHUNK); i++) {
                byte[] key = ((i % 4 == 3 ? "q-" : "s-") + run + "-" + i).getBytes(StandardCharsets.UTF_8);
                if (i % 4 == 3) {
                    // Durable requests whose futures this process may not live to see: their deadline is far off.
                    a.call(B, "count").timeout(Duration.ofMinutes(30)).request(key);
                } else {
                    chunk.add(a.send(B, "l1", key));
                }
            }
            for (SendReceipt r : chunk) r.accepted().get(60, TimeUnit.SECONDS);
            accepted.addAndGet(chunk.size());
        }
        System.out.println("sent all");
        Await.untilKilled();
        return 3;
    }

    private TetherConfig.Builder config(NodeId id, NodeId peer) {
        return TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve(id.value() + ".db")))
                .durability(Durability.FSYNC)
                .history(HistoryOptions.keep(HistoryOptions.MAX_ENTRIES, Duration.ofDays(1)))
                .window(256);
    }

    private static void count(SqliteTransaction tx, String key, String kind) throws SQLException {
        PreparedStatement ps =
                tx.prepare("INSERT INTO app_counts (k, n) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = n + 1");
        ps.setString(1, key);
        ps.executeUpdate();
        PreparedStatement total =
                tx.prepare("INSERT INTO app_totals (kind, n) VALUES (?, 1) ON CONFLICT (kind) DO UPDATE SET n = n + 1");
        total.setString(1, kind);
        total.executeUpdate();
    }
}
