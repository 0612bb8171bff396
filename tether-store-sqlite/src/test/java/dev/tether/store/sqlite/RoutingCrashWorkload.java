package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.TransactionalHandler;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Match;
import dev.tether.bus.Rule;
import dev.tether.bus.TextPattern;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process {@link RoutingCrashTest} kills: node {@code a} sends messages on lanes {@code l1} and {@code l2} to node
 * {@code b}; b's routing rules copy every {@code l1} message to endpoint {@code c/rec} (rule {@code tap}) and forward
 * every {@code l2} message to node {@code c} (rule {@code fwd}); b's and c's transactional handlers add 1 to the row of
 * each message's key in their application table {@code app_counts}, in the transaction that commits its cursor (and,
 * at b, the copy). All three on SQLite files at {@link Durability#FSYNC} in this JVM, over the in-memory transport.
 *
 * <p>Arguments: {@code dir run quota drain}. Keys are {@code <lane>-<run>-<i>}, unique per send. It prints {@code
 * ready}, then {@code progress accepted=N executed=M} every 10 ms (executed: b's handler calls, including those whose
 * writes a kill undid). With {@code drain} true it sends nothing, waits until every stream is acknowledged, shuts down
 * and exits 0 (2 if it did not drain in time); otherwise it never exits by itself.
 */
public final class RoutingCrashWorkload {
    static final String TABLE = "CREATE TABLE IF NOT EXISTS app_counts (k TEXT PRIMARY KEY, n INTEGER NOT NULL)";
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final int CHUNK = 200;

    private final Path dir;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong executed = new AtomicLong();

    private RoutingCrashWorkload(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int run = Integer.parseInt(args[1]);
        int quota = Integer.parseInt(args[2]);
        boolean drain = Boolean.parseBoolean(args[3]);
        System.exit(new RoutingCrashWorkload(dir).run(run, quota, drain));
    }

    private int run(int run, int quota, boolean drain) throws Exception {
        ApplicationTables.create(dir.resolve("b.db"), TABLE);
        ApplicationTables.create(dir.resolve("c.db"), TABLE);
        TetherNode c = Tether.start(config(C, B).handler(counting(null)).build());
        Tether.bus(c).endpoint("rec", d -> {});
        TetherNode b = Tether.start(config(B, A, C)
                .handler(counting(executed))
                .rule(Rule.named("tap")
                        .match(Match.any().lane(TextPattern.exact("l1")))
                        .action(Action.copy(Address.parse("c/rec"))))
                .rule(Rule.named("fwd")
                        .match(Match.any().lane(TextPattern.exact("l2")))
                        .action(Action.forward(C)))
                .build());
        TetherNode a = Tether.start(config(A, B).handler(d -> {}).build());
        System.out.println("ready");
        WorkloadNodes.printProgress(accepted, executed);
        if (drain) return WorkloadNodes.drain(executed, a, b, c);
        for (int from = 0; from < quota; from += CHUNK) {
            List<SendReceipt> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(quota, from + CHUNK); i++) {
                String lane = i % 3 == 2 ? "l2" : "l1";
                chunk.add(a.send(B, lane, (lane + "-" + run + "-" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (SendReceipt r : chunk) r.accepted().get(60, TimeUnit.SECONDS);
            accepted.addAndGet(chunk.size());
        }
        System.out.println("sent all");
        Await.untilKilled();
        return 3;
    }

    /** A transactional handler counting each message's key in {@code app_counts} (and in {@code calls} if given). */
    private static MessageHandler counting(AtomicLong calls) {
        return TransactionalHandler.inTransaction(SqliteTransaction.class, (d, tx) -> {
            if (calls != null) calls.incrementAndGet();
            count(tx, new String(d.payloadBytes(), StandardCharsets.UTF_8));
        });
    }

    private TetherConfig.Builder config(NodeId id, NodeId... peers) {
        return TetherConfig.builder(id)
                .peers(peers)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve(id.value() + ".db")))
                .durability(Durability.FSYNC)
                .window(256);
    }

    private static void count(SqliteTransaction tx, String key) throws SQLException {
        PreparedStatement ps =
                tx.prepare("INSERT INTO app_counts (k, n) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = n + 1");
        ps.setString(1, key);
        ps.executeUpdate();
    }
}
