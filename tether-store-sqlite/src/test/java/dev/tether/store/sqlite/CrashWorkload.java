package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.Tether;
import dev.tether.TetherConfig;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.testkit.process.HistoryLog;
import dev.tether.testkit.process.HistoryRecordingStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();

    private CrashWorkload(Path dir, int run, Mode mode) {
        this.dir = dir;
        this.run = run;
        this.mode = mode;
        this.log = HistoryLog.create(dir.resolve("history-" + run + ".log"));
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int run = Integer.parseInt(args[1]);
        Mode mode = Mode.valueOf(args[2]);
        int quota = Integer.parseInt(args[3]);
        System.exit(new CrashWorkload(dir, run, mode).run(quota));
    }

    private int run(int quota) throws InterruptedException {
        TetherNode a = start(A, B);
        TetherNode b = mode == Mode.SENDER_ONLY ? null : start(B, A);
        System.out.println("ready");
        Thread progress = new Thread(this::printProgress, "progress");
        progress.setDaemon(true);
        progress.start();
        if (mode == Mode.DRAIN) return drain(a, b);
        List<Thread> senders = new ArrayList<>();
        if (mode == Mode.BOTH || mode == Mode.SENDER_ONLY) {
            senders.add(sender(a, B, "l1", 0, quota));
            senders.add(sender(a, B, "l2", 1, quota));
        }
        if (mode == Mode.BOTH) senders.add(sender(b, A, "l1", 2, quota));
        for (Thread t : senders) t.join();
        System.out.println("sent all");
        while (true) LockSupport.park(this); // until killed
    }

    private TetherNode start(NodeId id, NodeId peer) {
        String name = id.value();
        return Tether.start(TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .store(new HistoryRecordingStore(new SqliteStore(dir.resolve(name + ".db")), name, log))
                .durability(Durability.FSYNC)
                .window(256)
                .handler(d -> {
                    byte[] p = d.payloadBytes();
                    log.delivered(
                            name,
                            d.from().value(),
                            d.lane(),
                            d.seq(),
                            HistoryLog.msgIdOf(p),
                            d.isRedelivery(),
                            d.attempt(),
                            HistoryLog.crc(p));
                    delivered.incrementAndGet();
                })
                .listener(e -> {
                    if (e instanceof TetherEvent.ProtocolError
                            || e instanceof TetherEvent.StoreFailure
                            || e instanceof TetherEvent.ApplicationError
                            || e instanceof TetherEvent.DeadLettered) {
                        log.anomaly(name, e.toString());
                    }
                })
                .build());
    }

    /** Sends {@code quota} messages on one stream, at most {@link #OUTSTANDING} not yet accepted. */
    private Thread sender(TetherNode node, NodeId to, String lane, int stream, int quota) {
        String name = node.id().value();
        Thread t = new Thread(
                () -> {
                    ArrayDeque<CompletableFuture<MessageId>> outstanding = new ArrayDeque<>();
                    for (int i = 1; i <= quota; i++) {
                        long msgId = run * 1_000_000_000L + stream * 100_000_000L + i;
                        while (outstanding.size() >= OUTSTANDING) awaitQuietly(outstanding.poll());
                        log.sending(name, to.value(), lane, msgId);
                        SendReceipt r;
                        try {
                            r = node.send(to, lane, HistoryLog.payloadFor(msgId, PAYLOAD));
                        } catch (QueueFullException e) {
                            log.rejected(name, msgId, e.toString());
                            awaitQuietly(outstanding.poll());
                            continue;
                        }
                        r.accepted().whenComplete((id, error) -> {
                            if (error != null) {
                                log.rejected(name, msgId, error.toString());
                            } else {
                                log.accepted(name, to.value(), lane, msgId, id.seq());
                                accepted.incrementAndGet();
                            }
                        });
                        outstanding.add(r.accepted());
                    }
                },
                "sender-" + name + "-" + lane);
        t.start();
        return t;
    }

    private static void awaitQuietly(CompletableFuture<?> f) {
        if (f == null) return;
        try {
            f.join();
        } catch (RuntimeException failedSendIsLoggedByItsCallback) {
            // rejected sends are recorded by the future's callback
        }
    }

    private int drain(TetherNode a, TetherNode b) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!drained(a.stats()) || !drained(b.stats())) {
            if (System.nanoTime() > deadline) {
                System.out.println("stuck: " + a.stats() + " / " + b.stats());
                return 2;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        for (TetherNode n : List.of(a, b)) {
            for (StreamStats s : n.stats().streams()) {
                if (s.direction() == StreamStats.Direction.OUTBOUND) {
                    log.finalStream(n.id().value(), s.peer().value(), s.lane(), s.lastSeq(), s.cursor());
                }
            }
        }
        a.shutdown(Duration.ofSeconds(5));
        b.shutdown(Duration.ofSeconds(5));
        log.close();
        System.out.println("drained accepted=" + accepted.get() + " delivered=" + delivered.get());
        return 0;
    }

    private static boolean drained(NodeStats stats) {
        for (StreamStats s : stats.streams()) {
            if (s.direction() == StreamStats.Direction.OUTBOUND
                    && (s.queued() != 0 || s.inFlight() != 0 || s.cursor() != s.lastSeq())) {
                return false;
            }
        }
        return true;
    }

    private void printProgress() {
        while (true) {
            System.out.println("progress accepted=" + accepted.get() + " delivered=" + delivered.get());
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }
}
