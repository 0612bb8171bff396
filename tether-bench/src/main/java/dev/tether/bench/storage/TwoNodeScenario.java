package dev.tether.bench.storage;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.TetherNode;
import dev.tether.bench.measure.MeteredStore;
import dev.tether.bench.measure.MeteredTransactionalStore;
import dev.tether.bus.HistoryOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.ApplicationTables;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenarios (b) and (c): two nodes in one JVM over the in-memory transport, each with its own SQLite file, at
 * the given durability. One sender thread spreads messages round-robin over {@code lanes} lanes, pipelined:
 * it only waits when {@code outstanding} messages are sent but not yet delivered. Every payload carries its
 * send time and index, so the receiver's handler (acknowledging automatically) records send-to-handler
 * latency, and the run checks that each message arrived exactly once and in order within its lane.
 *
 * <p>Two modes: {@link #maxRate} sends as fast as the window allows (its latency is mostly queueing), and
 * {@link #fixedRate} offers a fixed rate, sends paced by parking rather than spinning, since a spinning sender
 * would take one of the two cores the nodes need.
 */
final class TwoNodeScenario {
    private static final NodeId A = NodeId.of("bench-a");
    private static final NodeId B = NodeId.of("bench-b");

    private TwoNodeScenario() {}

    /** Outcome of one run; {@code missing}, {@code duplicates} and {@code outOfOrder} must be 0. */
    record Run(
            double messagesPerSecond,
            long sent,
            long delivered,
            long missing,
            long duplicates,
            long outOfOrder,
            Latency latency,
            MeteredStore.CommitCounts senderCommits,
            MeteredStore.CommitCounts receiverCommits,
            long applicationRows) {}

    static Run maxRate(BenchOptions o, Durability d, boolean effects, HistoryOptions history, int messages) {
        return run(o, d, effects, history, messages, 0);
    }

    static Run fixedRate(BenchOptions o, Durability d, boolean effects, int messages, double perSecond) {
        return run(o, d, effects, null, messages, perSecond);
    }

    /**
     * One run; with {@code effects} the receiver's handler is transactional and inserts one row per message into an
     * application table of its store, in the transaction that commits the message's cursor; with {@code history} both
     * nodes keep a message history.
     */
    private static Run run(
            BenchOptions o, Durability d, boolean effects, HistoryOptions history, int messages, double perSecond) {
        try (TempDir dir = TempDir.create()) {
            Receiver receiver = new Receiver(messages, o.lanes());
            InMemoryNetwork net = new InMemoryNetwork();
            MeteredStore storeA = new MeteredStore(new SqliteStore(dir.file("a.db")));
            if (effects) ApplicationTables.create(dir.file("b.db"), ApplicationRows.TABLE);
            MeteredStore storeB = effects
                    ? new MeteredTransactionalStore(new SqliteStore(dir.file("b.db")))
                    : new MeteredStore(new SqliteStore(dir.file("b.db")));
            TetherNode a = Tether.start(config(net, A, B, storeA, d, history).build());
            TetherNode b = Tether.start(config(net, B, A, storeB, d, history)
                    .handler(effects ? ApplicationRows.handler(receiver::handle) : receiver::handle)
                    .build());
            String[] lanes = new String[o.lanes()];
            for (int i = 0; i < lanes.length; i++) lanes[i] = "lane-" + i;
            long interval = perSecond > 0 ? (long) (1e9 / perSecond) : 0;
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                if (interval > 0) {
                    long wait = start + i * interval - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                }
                while (i - receiver.delivered.get() >= o.outstanding()) LockSupport.parkNanos(50_000);
                byte[] payload = ByteBuffer.allocate(o.payload())
                        .putLong(0, System.nanoTime())
                        .putLong(8, i)
                        .array();
                sendRetryingWhenFull(a, lanes[i % lanes.length], payload);
            }
            long deadline = System.nanoTime() + 600_000_000_000L;
            while (receiver.delivered.get() < messages && System.nanoTime() < deadline) {
                LockSupport.parkNanos(100_000);
            }
            long nanos = System.nanoTime() - start;
            a.shutdown(Duration.ofSeconds(5));
            b.shutdown(Duration.ofSeconds(5));
            return new Run(
                    receiver.delivered.get() * 1e9 / nanos,
                    messages,
                    receiver.delivered.get(),
                    receiver.missing(),
                    receiver.duplicates.get(),
                    receiver.outOfOrder.get(),
                    Latency.of(receiver.latencies),
                    storeA.counts(),
                    storeB.counts(),
                    effects ? ApplicationRows.count(dir.file("b.db")) : -1);
        }
    }

    private static TetherConfig.Builder config(
            InMemoryNetwork net, NodeId self, NodeId peer, MeteredStore store, Durability d, HistoryOptions history) {
        TetherConfig.Builder b = TetherConfig.builder(self)
                .peers(peer)
                .transport(net.newTransport())
                .store(store)
                .durability(d)
                .window(8192);
        return history == null ? b : b.history(history);
    }

    private static void sendRetryingWhenFull(TetherNode node, String lane, byte[] payload) {
        while (true) {
            try {
                node.send(B, lane, payload);
                return;
            } catch (QueueFullException full) {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    /**
     * The receiving application: records latency per message index and checks exactly-once, in-lane order.
     * The node calls it for one lane at a time in order, for different lanes possibly on different threads;
     * every message index is written by one call only, and {@link #delivered} publishes the writes.
     */
    private static final class Receiver {
        final long[] latencies;
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        private final AtomicLongArray lastIndexPerLane;
        private final int lanes;

        Receiver(int messages, int lanes) {
            this.latencies = new long[messages];
            this.lanes = lanes;
            this.lastIndexPerLane = new AtomicLongArray(lanes);
            for (int i = 0; i < lanes; i++) lastIndexPerLane.set(i, -1);
        }

        void handle(Delivery d) {
            long now = System.nanoTime();
            ByteBuffer p = d.payload();
            long sentAt = p.getLong(p.position());
            int index = (int) p.getLong(p.position() + 8);
            if (latencies[index] != 0) {
                duplicates.incrementAndGet();
                return;
            }
            latencies[index] = Math.max(1, now - sentAt);
            int lane = index % lanes;
            if (lastIndexPerLane.getAndSet(lane, index) >= index) outOfOrder.incrementAndGet();
            delivered.incrementAndGet();
        }

        long missing() {
            long m = 0;
            for (long l : latencies) if (l == 0) m++;
            return m;
        }
    }
}
