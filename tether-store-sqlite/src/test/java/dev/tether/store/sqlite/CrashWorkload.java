package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.process.HistoryLog;
import dev.tether.testkit.process.HistoryRecorder;
import dev.tether.testkit.process.Periodic;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The process {@link SqliteCrashTest} kills: nodes {@code a} and {@code b} in one JVM, each on its own SQLite
 * file at {@link Durability#FSYNC}, over an {@link InMemoryNetwork}, writing a {@link HistoryLog}.
 *
 * <p>Arguments: {@code dir run mode quota}. The log is {@code dir/history-<run>.log}. Streams: a→b on lanes
 * {@code l1} and {@code l2}, b→a on {@code l1}. Modes:
 *
 * <ul>
 *   <li>{@code BOTH}: both nodes run; every stream sends {@code quota} messages (pipelined) and receives.
 *   <li>{@code SENDER_ONLY}: only {@code a} runs (b is offline); a's two streams send {@code quota} each, so the
 *       backlog grows in a's file.
 *   <li>{@code RECEIVER_DRAIN}: both run, nothing new is sent; b works through a's backlog.
 *   <li>{@code DRAIN}: like {@code RECEIVER_DRAIN}, but waits until every outbound stream of both nodes is fully
 *       acknowledged, records the final stream states, shuts both nodes down and exits 0 (2 if it did not drain
 *       within two minutes).
 * </ul>
 *
 * <p>It prints {@code ready} once both nodes started, then {@code progress accepted=N delivered=M} every 10 ms;
 * the killing test picks its moment from these lines. Except in {@code DRAIN} it never exits by itself.
 */
public final class CrashWorkload {
    static final int PAYLOAD = 100;
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int OUTSTANDING = 256;

    enum Mode {
        BOTH,
        SENDER_ONLY,
        RECEIVER_DRAIN,
        DRAIN
    }

    private final Path dir;
    private final int run;
    private final Mode mode;
    private final HistoryLog log;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final HistoryRecorder recordA;
    private final HistoryRecorder recordB;

    private CrashWorkload(Path dir, int run, Mode mode) {
        this.dir = dir;
        this.run = run;
        this.mode = mode;
        this.log = HistoryLog.create(dir.resolve("history-" + run + ".log"));
        this.recordA = new HistoryRecorder(log, A.value(), PAYLOAD);
        this.recordB = new HistoryRecorder(log, B.value(), PAYLOAD);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int run = Integer.parseInt(args[1]);
        Mode mode = Mode.valueOf(args[2]);
        int quota = Integer.parseInt(args[3]);
        System.exit(new CrashWorkload(dir, run, mode).run(quota));
    }

    private int run(int quota) throws InterruptedException {
        TetherNode a = start(A, B, recordA);
        TetherNode b = mode == Mode.SENDER_ONLY ? null : start(B, A, recordB);
        System.out.println("ready");
        Periodic.every(Duration.ofMillis(10), "progress", this::printProgress);
        if (mode == Mode.DRAIN) return drain(a, b);
        List<Thread> senders = new ArrayList<>();
        if (mode == Mode.BOTH || mode == Mode.SENDER_ONLY) {
            senders.add(sender(a, recordA, B, "l1", 0, quota));
            senders.add(sender(a, recordA, B, "l2", 1, quota));
        }
        if (mode == Mode.BOTH) senders.add(sender(b, recordB, A, "l1", 2, quota));
        for (Thread t : senders) t.join();
        System.out.println("sent all");
        Await.untilKilled();
        return 3; // only if interrupted
    }

    private TetherNode start(NodeId id, NodeId peer, HistoryRecorder recorder) {
        TetherConfig.Builder b = TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .durability(Durability.FSYNC)
                .window(256);
        return Tether.start(recorder.record(b, new SqliteStore(dir.resolve(id.value() + ".db")))
                .build());
    }

    /** Sends {@code quota} messages on one stream, at most {@link #OUTSTANDING} not yet accepted. */
    private Thread sender(TetherNode node, HistoryRecorder recorder, NodeId to, String lane, int stream, int quota) {
        Thread t = new Thread(
                () -> {
                    ArrayDeque<CompletableFuture<MessageId>> outstanding = new ArrayDeque<>();
                    for (int i = 1; i <= quota; i++) {
                        long msgId = run * 1_000_000_000L + stream * 100_000_000L + i;
                        while (outstanding.size() >= OUTSTANDING) HistoryRecorder.awaitQuietly(outstanding.poll());
                        outstanding.add(recorder.send(node, to, lane, msgId));
                    }
                },
                "sender-" + node.id().value() + "-" + lane);
        t.start();
        return t;
    }

    private int drain(TetherNode a, TetherNode b) {
        if (!HistoryRecorder.awaitDrained(Duration.ofMinutes(2), a, b)) {
            System.out.println("stuck: " + a.stats() + " / " + b.stats());
            return 2;
        }
        recordA.recordFinalStreams(a);
        recordB.recordFinalStreams(b);
        a.shutdown(Duration.ofSeconds(5));
        b.shutdown(Duration.ofSeconds(5));
        log.close();
        System.out.println("drained accepted=" + accepted() + " delivered=" + delivered());
        return 0;
    }

    private long accepted() {
        return recordA.accepted() + recordB.accepted();
    }

    private long delivered() {
        return recordA.delivered() + recordB.delivered();
    }

    private void printProgress() {
        System.out.println("progress accepted=" + accepted() + " delivered=" + delivered());
    }
}
