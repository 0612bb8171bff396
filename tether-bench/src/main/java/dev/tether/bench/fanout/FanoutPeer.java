package dev.tether.bench.fanout;

import dev.tether.ChannelRole;
import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.tcp.TcpTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One node of {@link FanoutBench} in a child JVM, driven by line commands on stdin (replies on stdout). Arguments:
 * {@code publisher|reader <id> memory|sqlite <directory> [<reader id>=<port>,...]}: a reader listens on a free
 * loopback port (its {@code READY <port>} line says which) and knows the publisher by id only; the publisher dials
 * every reader. Both use channel {@value #CHANNEL}.
 *
 * <p>Commands: {@code JOIN} joins the channel (the publisher {@code WRITE}, a reader {@code READ}; replies {@code
 * JOINED} once every known peer has taken note). Reader: {@code EXPECT n} ({@code ARMED}), {@code AWAIT} ({@code
 * DONE count lastDeliveryNanos}). Publisher: {@code PUB n outstanding} publishes {@code n} 100-byte messages with at
 * most {@code outstanding} not yet stored, replies {@code SENT startNanos}. {@code STOP} exits. Payloads carry the
 * message's index in the round, negative for none. All processes run on one machine, where {@code nanoTime} is one
 * clock.
 */
public final class FanoutPeer {
    static final String CHANNEL = "bench";
    static final NodeId PUBLISHER = NodeId.of("fan-publisher");
    private static final int PAYLOAD = 100;
    private static final long AWAIT_NANOS = TimeUnit.MINUTES.toNanos(3);

    private final TetherNode node;
    private final TcpTransport tcp;
    private final boolean publisher;
    private volatile Run run = new Run(0);

    private static final class Run {
        final long expected;
        final AtomicLong count = new AtomicLong();
        volatile long lastAt;

        Run(long expected) {
            this.expected = expected;
        }
    }

    private FanoutPeer(String[] a) {
        publisher = a[0].equals("publisher");
        NodeId self = NodeId.of(a[1]);
        boolean sqlite = a[2].equals("sqlite");
        TcpTransport.Builder t =
                TcpTransport.builder().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<NodeId> peers = new ArrayList<>();
        if (publisher) {
            for (String r : a[4].split(",")) {
                String[] idPort = r.split("=");
                NodeId id = NodeId.of(idPort[0]);
                peers.add(id);
                t.peer(id, new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(idPort[1])));
            }
        } else {
            peers.add(PUBLISHER);
        }
        tcp = t.build();
        TetherConfig.Builder c = TetherConfig.builder(self)
                .peers(peers)
                .transport(tcp)
                .store(sqlite ? new SqliteStore(Path.of(a[3]).resolve("tether-" + self + ".db")) : new InMemoryStore())
                .durability(sqlite ? Durability.FSYNC : Durability.MEMORY)
                .window(8192);
        if (!publisher) c.handler(this::onMessage);
        node = Tether.start(c.build());
    }

    public static void main(String[] args) throws Exception {
        FanoutPeer p = new FanoutPeer(args);
        reply("READY " + p.tcp.boundAddress().getPort());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
            try {
                reply(p.execute(line.trim().split(" ")));
            } catch (Exception e) {
                e.printStackTrace();
                reply("FAILED " + e.toString().replace('\n', ' '));
            }
        }
        p.node.shutdown(Duration.ofSeconds(5));
        System.exit(0);
    }

    private String execute(String[] w) throws Exception {
        return switch (w[0]) {
            case "JOIN" -> {
                node.join(CHANNEL, publisher ? ChannelRole.WRITE : ChannelRole.READ)
                        .get(2, TimeUnit.MINUTES);
                yield "JOINED";
            }
            case "EXPECT" -> {
                run = new Run(Long.parseLong(w[1]));
                yield "ARMED";
            }
            case "AWAIT" -> awaitRun();
            case "PUB" -> "SENT " + publish(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
            default -> throw new IllegalArgumentException("unknown command " + w[0]);
        };
    }

    private void onMessage(Delivery d) {
        long now = System.nanoTime();
        Run r = run;
        if (r.count.incrementAndGet() == r.expected) r.lastAt = now;
    }

    private String awaitRun() {
        Run r = run;
        long deadline = System.nanoTime() + AWAIT_NANOS;
        while ((r.count.get() < r.expected || r.lastAt == 0) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(200_000);
        }
        return "DONE " + r.count.get() + " " + r.lastAt;
    }

    private long publish(int n, int outstanding) throws Exception {
        Semaphore window = new Semaphore(outstanding);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        CompletableFuture<MessageId> last = null;
        for (int i = 0; i < n; i++) {
            window.acquire();
            ByteBuffer b =
                    ByteBuffer.allocate(PAYLOAD).putLong(System.nanoTime()).putLong(i);
            last = node.publish(CHANNEL, b.array());
            last.whenComplete((id, e) -> {
                if (e != null) failure.compareAndSet(null, e);
                window.release();
            });
        }
        if (last != null) last.get(2, TimeUnit.MINUTES);
        if (failure.get() != null) throw new IllegalStateException("a publish failed", failure.get());
        return start;
    }

    private static void reply(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
