package dev.tether.bench.backlog;

import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.tcp.TcpTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One node of {@link BacklogBench} in a child JVM (run with a small heap): SQLite at {@link Durability#FSYNC}, TCP
 * on loopback, each node given the other's address.
 *
 * <p>Arguments: {@code sender <own port> <peer port> <dir> <messages> <reconnect max ms, 0: default>} or {@code receiver <own port> <peer port>
 * <dir>}; a peer port of 0 means that the node does not dial: it waits for the other to connect.
 *
 * <ul>
 *   <li>The sender starts node {@code a}, sends {@code messages} 100-byte messages to {@code b} (offline), pipelined
 *       (waiting on the oldest {@code accepted()} when {@link QueueFullException} pushes back), prints {@code FILLED
 *       messages millis}, then stays up until {@code STOP}; it logs its peer events with wall-clock times to stderr.
 *   <li>The receiver starts node {@code b} and, at its first delivery, prints {@code FIRST jvmStartMs mainMs
 *       readyMs firstMs seq} (wall-clock milliseconds: the JVM's start, {@code main}, {@link Tether#start}
 *       returned, the first delivery) and halts at once, as if killed: the delivered message's cursor is never
 *       committed, so the backlog stays whole for the next round.
 * </ul>
 */
public final class BacklogPeer {
    static final NodeId SENDER = NodeId.of("a");
    static final NodeId RECEIVER = NodeId.of("b");
    static final String LANE = "bulk";
    private static final int PAYLOAD = 100;
    private static final int OUTSTANDING = 50_000;

    private BacklogPeer() {}

    public static void main(String[] args) throws Exception {
        long mainMs = System.currentTimeMillis();
        int own = Integer.parseInt(args[1]);
        int peer = Integer.parseInt(args[2]);
        Path dir = Path.of(args[3]);
        if (args[0].equals("sender")) sender(own, peer, dir, Long.parseLong(args[4]), Long.parseLong(args[5]));
        else receiver(own, peer, dir, mainMs);
    }

    /**
     * {@code peer} 0: this node does not dial, it waits for the other to connect; {@code reconnectMaxMs} 0: the
     * transport's default reconnect backoff.
     */
    private static TetherConfig.Builder config(
            NodeId self, NodeId other, int own, int peer, Path dir, long reconnectMaxMs) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        TcpTransport.Builder tcp = TcpTransport.builder().listen(new InetSocketAddress(lo, own));
        if (reconnectMaxMs > 0) tcp.reconnect(Duration.ofMillis(50), Duration.ofMillis(reconnectMaxMs));
        if (peer != 0) tcp.peer(other, new InetSocketAddress(lo, peer));
        return TetherConfig.builder(self)
                .peers(other)
                .transport(tcp.build())
                .store(new SqliteStore(dir.resolve("tether-" + self + ".db")))
                .durability(Durability.FSYNC)
                .listener(BacklogPeer::log);
    }

    private static void log(TetherEvent e) {
        if (e instanceof TetherEvent.PeerConnected
                || e instanceof TetherEvent.PeerResumed
                || e instanceof TetherEvent.PeerDisconnected) {
            System.err.printf(Locale.ROOT, "%d event %s%n", System.currentTimeMillis(), e);
        }
    }

    private static void sender(int own, int peer, Path dir, long messages, long reconnectMaxMs) throws Exception {
        TetherNode a = Tether.start(config(SENDER, RECEIVER, own, peer, dir, reconnectMaxMs)
                .maxPendingSendBytes(1 << 20)
                .build());
        long t0 = System.nanoTime();
        fill(a, messages);
        System.out.printf(Locale.ROOT, "FILLED %d %d%n", messages, (System.nanoTime() - t0) / 1_000_000);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
            System.out.println("UNKNOWN " + line);
        }
        a.shutdown(Duration.ofSeconds(5));
        System.exit(0);
    }

    private static void fill(TetherNode a, long messages) {
        ArrayDeque<CompletableFuture<MessageId>> outstanding = new ArrayDeque<>();
        for (long i = 0; i < messages; ) {
            while (outstanding.size() >= OUTSTANDING) outstanding.poll().join();
            byte[] payload = ByteBuffer.allocate(PAYLOAD).putLong(i).array();
            try {
                outstanding.add(a.send(RECEIVER, LANE, payload).accepted());
                i++;
            } catch (QueueFullException e) {
                CompletableFuture<MessageId> oldest = outstanding.poll();
                if (oldest != null) oldest.join();
            }
        }
        while (!outstanding.isEmpty()) outstanding.poll().join();
    }

    private static void receiver(int own, int peer, Path dir, long mainMs) {
        long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        AtomicBoolean first = new AtomicBoolean();
        long[] readyMs = new long[1];
        Object readyLock = new Object();
        Tether.start(config(RECEIVER, SENDER, own, peer, dir, 0)
                .handler(d -> {
                    long firstMs = System.currentTimeMillis();
                    if (!first.compareAndSet(false, true)) return;
                    synchronized (readyLock) {
                        // the handler can run before start() returned; the first delivery then came before ready
                        long ready = readyMs[0] == 0 ? firstMs : readyMs[0];
                        System.out.printf(
                                Locale.ROOT, "FIRST %d %d %d %d %d%n", jvmStartMs, mainMs, ready, firstMs, d.seq());
                    }
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                })
                .build());
        synchronized (readyLock) {
            readyMs[0] = System.currentTimeMillis();
        }
        System.err.printf(Locale.ROOT, "%d ready%n", readyMs[0]);
        Await.forever();
    }

    /** Parks the main thread until the process halts. */
    private static final class Await {
        static void forever() {
            Object never = new Object();
            synchronized (never) {
                while (true) {
                    try {
                        never.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
