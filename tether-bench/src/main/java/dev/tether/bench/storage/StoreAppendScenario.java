package dev.tether.bench.storage;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.bench.measure.MeteredStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario (a): the store alone behind the real runtime. One node with its own SQLite file sends to a peer
 * that never connects, so nothing but the store's group commit is on the path: {@code threads} sender threads
 * (one lane each) call {@link TetherNode#send} concurrently, pipelined up to {@code outstanding} sends not yet
 * accepted, and a send counts when its {@link SendReceipt#accepted()} future completes, which the runtime does
 * only after the commit holding it returned. The node's store writer thread batches everything pending into
 * one transaction per batch, exactly as in production; a {@link MeteredStore} between the node and the store
 * records batch sizes and the time spent committing.
 */
final class StoreAppendScenario {
    private static final NodeId SENDER = NodeId.of("bench-sender");
    private static final NodeId AWAY = NodeId.of("bench-away");

    private StoreAppendScenario() {}

    /** Outcome of one run: rate, counts to check, and the group-commit counters. */
    record Run(
            double appendsPerSecond,
            long sent,
            long accepted,
            long failed,
            long rowsStored,
            MeteredStore.CommitCounts commits,
            CpuPerMessage cpu) {}

    /** Microseconds of CPU per message spent by the store writer thread, the node thread and the senders. */
    record CpuPerMessage(double storeWriter, double nodeLoop, double senders) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "CPU per message: store writer %.1f µs, node thread %.1f µs, senders %.1f µs",
                    storeWriter,
                    nodeLoop,
                    senders);
        }
    }

    static Run run(BenchOptions o, Durability durability, int messages) throws InterruptedException {
        return run(o, durability, messages, TempDir.create());
    }

    /** As {@link #run(BenchOptions, Durability, int)}, in {@code files}, which it deletes. */
    static Run run(BenchOptions o, Durability durability, int messages, TempDir files) throws InterruptedException {
        try (TempDir dir = files) {
            MeteredStore store = new MeteredStore(new SqliteStore(dir.file("sender.db")));
            TetherNode node = Tether.start(TetherConfig.builder(SENDER)
                    .peers(AWAY)
                    .transport(new InMemoryNetwork().newTransport())
                    .store(store)
                    .durability(durability)
                    .window(8192)
                    .build());
            Progress p = new Progress(new CountDownLatch(1), new CountDownLatch(messages));
            int perThread = Math.max(1, o.outstanding() / o.threads());
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < o.threads(); t++) {
                String lane = "lane-" + t;
                int count = messages / o.threads() + (t < messages % o.threads() ? 1 : 0);
                senders.add(new Thread(() -> sendAll(node, lane, count, o.payload(), perThread, p), "sender-" + t));
            }
            senders.forEach(Thread::start);
            long start = System.nanoTime();
            p.go.countDown();
            if (!p.done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("store scenario: only " + p.accepted.get() + " of " + messages
                        + " sends accepted after 10 minutes");
            }
            long nanos = System.nanoTime() - start;
            for (Thread s : senders) s.join();
            CpuPerMessage cpu = new CpuPerMessage(
                    ThreadCpu.ofThreadNamed("tether-" + SENDER + "-store") / 1e3 / messages,
                    ThreadCpu.ofThreadNamed("tether-" + SENDER) / 1e3 / messages,
                    p.senderCpu.get() / 1e3 / messages);
            node.shutdown(Duration.ZERO);
            long rows = Sqlite.count(dir.file("sender.db"), "outbox");
            return new Run(
                    messages * 1e9 / nanos, p.sent.get(), p.accepted.get(), p.failed.get(), rows, store.counts(), cpu);
        }
    }

    /** Shared between the sender threads and the completions of their receipts. */
    private record Progress(
            CountDownLatch go,
            CountDownLatch done,
            AtomicLong sent,
            AtomicLong accepted,
            AtomicLong failed,
            AtomicLong senderCpu) {
        Progress(CountDownLatch go, CountDownLatch done) {
            this(go, done, new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong());
        }
    }

    private static void sendAll(
            TetherNode node, String lane, int count, int payloadBytes, int outstanding, Progress p) {
        Semaphore window = new Semaphore(outstanding);
        try {
            p.go.await();
            for (int i = 0; i < count; i++) {
                window.acquire();
                SendReceipt r = sendRetryingWhenFull(node, lane, new byte[payloadBytes]);
                p.sent.incrementAndGet();
                r.accepted().whenComplete((id, error) -> {
                    if (error == null) p.accepted.incrementAndGet();
                    else p.failed.incrementAndGet();
                    window.release();
                    p.done.countDown();
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.senderCpu.addAndGet(ThreadCpu.ofCurrentThread());
    }

    /** A send refused for lack of room (maxPendingSendBytes) is tried again, as a real producer would. */
    private static SendReceipt sendRetryingWhenFull(TetherNode node, String lane, byte[] payload) {
        while (true) {
            try {
                return node.send(AWAY, lane, payload);
            } catch (QueueFullException full) {
                LockSupport.parkNanos(100_000);
            }
        }
    }
}
