package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.StoredState;
import dev.tether.testkit.Await;
import dev.tether.testkit.process.Periodic;
import dev.tether.transport.memory.InMemoryNetwork;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process {@link SqliteBacklogTest} runs in a small heap: node a sends a large backlog to b on lane {@code
 * bulk}, each on its own SQLite file at {@link Durability#FSYNC}, over an {@link InMemoryNetwork}.
 *
 * <p>Arguments: {@code dir phase messages}.
 *
 * <ul>
 *   <li>{@code FILL}: a starts with b offline and sends {@code messages} 100-byte messages, pipelined (it waits
 *       on earlier sends' {@code accepted()} futures when {@link QueueFullException} pushes back); then b starts
 *       in this process and receives; after {@value #DELIVERIES_BEFORE_KILL} deliveries it prints {@code
 *       kill me}, and waits for SIGKILL with the rest of the backlog on disk.
 *   <li>{@code RESTART}: reads b's stored cursor, starts a and b from their files and receives everything left;
 *       exits 0 if b saw exactly cursor+1 .. {@code messages} in order, 1 otherwise.
 * </ul>
 *
 * <p>b's handler checks every message itself: its sequence number is the previous one plus one, and its payload
 * carries index seq - 1. Lines starting with {@code result} carry the measurements; a daemon thread samples the
 * heap in use every 50 ms and keeps the peak.
 */
public final class BacklogWorkload {
    static final int PAYLOAD = 100;
    static final long DELIVERIES_BEFORE_KILL = 10_000;
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final String LANE = "bulk";
    private static final int OUTSTANDING = 50_000;
    /** Longer than the killing test waits for this process: the test, not this process, reports a hang. */
    private static final Duration WAIT_LIMIT = Duration.ofMinutes(10);

    private final Path dir;
    private final long messages;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong lastSeq = new AtomicLong();
    private final AtomicLong firstDeliveryNanos = new AtomicLong();
    private final AtomicLong lastDeliveryNanos = new AtomicLong();
    private volatile String orderError;
    private volatile long heapPeak;

    private BacklogWorkload(Path dir, long messages) {
        this.dir = dir;
        this.messages = messages;
    }

    public static void main(String[] args) {
        BacklogWorkload w = new BacklogWorkload(Path.of(args[0]), Long.parseLong(args[2]));
        Periodic.every(Duration.ofMillis(50), "heap-sampler", w::sampleHeap);
        System.exit(args[1].equals("FILL") ? w.fill() : w.restart());
    }

    private int fill() {
        TetherNode a = startA();
        long t0 = System.nanoTime();
        long queueFull = send(a);
        long ms = millisSince(t0);
        System.gc(); // what stays reachable with the whole backlog stored: should not grow with the backlog
        long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(
                "result fill messages=%d ms=%d rate=%d/s queueFullPushbacks=%d heapPeakMiB=%.1f"
                        + " heapAfterFullGcMiB=%.1f%n",
                messages, ms, messages * 1000 / Math.max(1, ms), queueFull, mib(heapPeak), mib(live));
        long bStart = System.nanoTime();
        startB(0);
        Await.until(
                WAIT_LIMIT,
                () -> delivered.get() >= DELIVERIES_BEFORE_KILL || orderError != null,
                () -> DELIVERIES_BEFORE_KILL + " deliveries (" + delivered.get() + " so far)");
        System.out.printf(
                "result b-appears firstDeliveryMs=%.1f deliveries=%d orderError=%s%n",
                (firstDeliveryNanos.get() - bStart) / 1e6, delivered.get(), orderError);
        System.out.println("kill me");
        Await.untilKilled();
        return 3; // only if interrupted
    }

    private int restart() {
        long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        long jvmToMainMs = System.currentTimeMillis() - jvmStartMillis;
        long c0 = System.nanoTime();
        long cursor = storedCursor();
        long cursorReadMs = millisSince(c0);
        lastSeq.set(cursor);
        long t0 = System.nanoTime();
        long sinceJvmStart = System.currentTimeMillis() - jvmStartMillis;
        startA();
        long aOpenMs = millisSince(t0);
        startB(cursor);
        Await.until(
                WAIT_LIMIT,
                () -> lastSeq.get() >= messages || orderError != null,
                () -> "the backlog to drain (last seq " + lastSeq.get() + " of " + messages + ")");
        long firstMs = (firstDeliveryNanos.get() - t0) / 1_000_000;
        long drainMs = (lastDeliveryNanos.get() - firstDeliveryNanos.get()) / 1_000_000;
        long received = delivered.get();
        System.out.printf(
                "result restart cursor=%d jvmToMainMs=%d cursorReadMs=%d aOpenMs=%d firstDeliveryMs=%d"
                        + " firstDeliveryMsSinceJvmStart=%d delivered=%d lastSeq=%d drainMs=%d drainRate=%d/s"
                        + " heapPeakMiB=%.1f orderError=%s%n",
                cursor,
                jvmToMainMs,
                cursorReadMs,
                aOpenMs,
                firstMs,
                sinceJvmStart + firstMs,
                received,
                lastSeq.get(),
                drainMs,
                received * 1000 / Math.max(1, drainMs),
                mib(heapPeak),
                orderError);
        return orderError == null && lastSeq.get() == messages && received == messages - cursor ? 0 : 1;
    }

    /** b's processed cursor of stream (a, bulk) as stored in b's file (0 for a new file). */
    private long storedCursor() {
        try (SqliteStore store = new SqliteStore(dir.resolve("b.db"))) {
            StoredState s = store.open(Durability.FSYNC);
            return s.inbound().stream()
                    .filter(c -> c.from().equals(A) && c.lane().equals(LANE))
                    .mapToLong(InboundCursor::processedSeq)
                    .findFirst()
                    .orElse(0);
        }
    }

    /** Sends every message; returns how often {@link QueueFullException} pushed back. */
    private long send(TetherNode a) {
        ArrayDeque<CompletableFuture<MessageId>> outstanding = new ArrayDeque<>();
        long pushbacks = 0;
        long nextReport = System.nanoTime();
        for (long i = 0; i < messages; ) {
            while (!outstanding.isEmpty() && outstanding.peek().isDone())
                outstanding.poll().join();
            while (outstanding.size() >= OUTSTANDING) outstanding.poll().join();
            byte[] payload = ByteBuffer.allocate(PAYLOAD).putLong(i).array();
            try {
                CompletableFuture<MessageId> f = a.send(B, LANE, payload).accepted();
                f.thenRun(accepted::incrementAndGet);
                outstanding.add(f);
                i++;
            } catch (QueueFullException e) {
                pushbacks++; // not stored: wait until the oldest send still pending is, then send this one again
                CompletableFuture<MessageId> oldest = outstanding.poll();
                if (oldest != null) oldest.join();
            }
            if (System.nanoTime() >= nextReport) {
                System.out.printf(
                        "progress fill sent=%d accepted=%d heapPeakMiB=%.1f%n", i, accepted.get(), mib(heapPeak));
                nextReport = System.nanoTime() + 1_000_000_000L;
            }
        }
        while (!outstanding.isEmpty()) outstanding.poll().join();
        return pushbacks;
    }

    private TetherNode startA() {
        return Tether.start(TetherConfig.builder(A)
                .peers(B)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.FSYNC)
                .maxPendingSendBytes(1 << 20)
                .handler(d -> {})
                .build());
    }

    private void startB(long cursor) {
        lastSeq.set(cursor);
        Periodic.every(
                Duration.ofSeconds(1),
                "drain-progress",
                () -> System.out.printf(
                        "progress drain delivered=%d lastSeq=%d heapPeakMiB=%.1f%n",
                        delivered.get(), lastSeq.get(), mib(heapPeak)));
        Tether.start(TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("b.db")))
                .durability(Durability.FSYNC)
                .handler(d -> {
                    long now = System.nanoTime();
                    firstDeliveryNanos.compareAndSet(0, now);
                    lastDeliveryNanos.set(now);
                    long expected = lastSeq.get() + 1;
                    long index = d.payload().getLong(0);
                    if (orderError == null && (d.seq() != expected || index != d.seq() - 1)) {
                        orderError = "expected seq " + expected + ", got seq " + d.seq() + " with index " + index;
                    }
                    lastSeq.set(d.seq());
                    delivered.incrementAndGet();
                })
                .build());
    }

    /** Samples heap use (live objects and garbage not yet collected) and keeps the peak; run every 50 ms. */
    private void sampleHeap() {
        heapPeak = Math.max(
                heapPeak,
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
