package dev.tether.bench.net;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.bench.measure.MeteredStore;
import dev.tether.bench.measure.MeteredTransactionalStore;
import dev.tether.bench.storage.ApplicationRows;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.store.sqlite.ApplicationTables;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.CompositeTransport;
import dev.tether.transport.nats.NatsTransport;
import dev.tether.transport.tcp.TcpTransport;
import dev.tether.transport.uds.UdsTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One Tether node in a child JVM of {@link NetworkBench}, driven by line commands on stdin (replies on stdout).
 * Arguments: {@code sender|receiver tcp|uds|composite|nats <receiver port, - or NATS url> memory|sqlite|sqlite-os|sqlite-effects <directory>
 * <nats prefix> pool|inline|chained}; the last says whether the receiver's handler runs on handler threads
 * ({@code pool}) or on the node thread (the others). Over {@code uds} each node listens on the socket file {@code
 * <directory>/<node id>.sock}.
 *
 * <p>Payloads are 100 bytes: the sender's {@link System#nanoTime()} at the send call, then the message's index in
 * the current run (negative: not measured). Both nodes are on one machine, where {@code nanoTime} is the same
 * monotonic clock in every process, so the receiver computes end-to-end latency itself.
 *
 * <p>Receiver commands: {@code EXPECT n latency(0|1)} arms a run ({@code ARMED}), {@code AWAIT} waits for its n
 * deliveries ({@code DONE count lastDeliveryNanos p50 p99 max}). Sender commands: {@code PING} (one message,
 * processed), {@code BURST n lanes maxOutstanding}, {@code RATE n perSecond lanes maxOutstanding} (both reply
 * {@code SENT startNanos}), {@code RTT n} (one message at a time, {@code send(...).processed()} awaited; replies
 * {@code RTT n p50 p99 max}), {@code RTTC n} (the same, each send made from the previous one's {@code
 * processed()} callback), {@code REQ n size volatile(0|1)} (requests of the receiver's {@code echo} handler one at a
 * time; replies {@code REQ n p50 p99 max}), {@code REQP n outstanding lanes size volatile(0|1)} (pipelined requests;
 * replies {@code REQP n nanos}), see {@link CallLoad}. {@code STORESTATS} (either role) reports and resets the store's commit counts (see
 * {@link MeteredStore}). {@code STOP} shuts the node down and exits. Errors reply {@code FAILED reason}.
 *
 * <p>Threading: the main thread reads commands and sends; the node's handler threads count deliveries.
 */
public final class PeerProcess {
    static final NodeId SENDER = NodeId.of("bench-sender");
    static final NodeId RECEIVER = NodeId.of("bench-receiver");
    private static final long AWAIT_NANOS = TimeUnit.MINUTES.toNanos(3);
    /** The sender asks for {@code processed()} on every this-many-th message, to bound what is outstanding. */
    private static final int CHECKPOINT_EVERY = 512;

    private final TetherNode node;
    /** The node's TCP transport, or null over NATS. */
    private final TcpTransport tcp;
    /** Counts the store's commits for the {@code STORESTATS} command. */
    private final MeteredStore store;

    private volatile Run run = new Run(0, false);

    /** One measured run at the receiver; handler threads write it, the command thread reads it. */
    private static final class Run {
        final long expected;
        final long[] latency;
        final AtomicLong count = new AtomicLong();
        volatile long lastAt;

        Run(long expected, boolean withLatency) {
            this.expected = expected;
            this.latency = withLatency ? new long[(int) expected] : null;
        }
    }

    private PeerProcess(String[] a) {
        boolean sender = a[0].equals("sender");
        NodeId self = sender ? SENDER : RECEIVER;
        NodeId peer = sender ? RECEIVER : SENDER;
        boolean sqlite = a[3].startsWith("sqlite");
        Transport transport = transport(a[1], a[2], sender, a[5], Path.of(a[4]));
        this.tcp = transport instanceof TcpTransport t ? t : composedTcp;
        boolean effects = a[3].equals("sqlite-effects") && !sender;
        this.store = store(sqlite, effects, Path.of(a[4]).resolve("tether-" + self + ".db"));
        TetherConfig.Builder c = TetherConfig.builder(self)
                .peers(peer)
                .transport(transport)
                .store(store)
                .durability(durability(a[3]))
                // -Dtether.bench.window=N (through --child-jvm-arg) measures another window, the default's 1,024 say.
                .window(Integer.getInteger("tether.bench.window", 8192))
                // The 1 MiB default does not fit the NATS transport's default frame limit; the bench sends 100 B.
                .maxMessageBytes(64 << 10);
        if (!sender) {
            boolean inline = !a[6].equals("pool");
            c.handler(effects ? ApplicationRows.handler(this::onMessage) : this::onMessage)
                    .handlerOnNodeThread(inline);
            // The request benchmarks' handler: an echo, placed like the plain handler.
            c.handle(
                    CallLoad.HANDLER,
                    inline ? HandlerOptions.defaults().onNodeThread() : HandlerOptions.defaults(),
                    call -> call.payloadBytes());
        }
        this.node = Tether.start(c.build());
        // -Dtether.bench.commitProfile=true (--child-jvm-arg) says where each commit's time went (MeteredStore).
        if (sqlite) store.profileCheckpoints(Path.of(a[4]).resolve("tether-" + self + ".db"));
    }

    /** The node's store, metered; with {@code effects} a SQLite store whose transactions handlers can join. */
    private static MeteredStore store(boolean sqlite, boolean effects, Path file) {
        if (!sqlite) return new MeteredStore(new InMemoryStore());
        if (!effects) return new MeteredStore(new SqliteStore(file));
        ApplicationTables.create(file, ApplicationRows.TABLE);
        return new MeteredTransactionalStore(new SqliteStore(file));
    }

    private static Durability durability(String store) {
        return switch (store) {
            case "sqlite", "sqlite-effects" -> Durability.FSYNC;
            case "sqlite-os" -> Durability.OS_BUFFERED;
            case "memory" -> Durability.MEMORY;
            default ->
                throw new IllegalArgumentException(
                        "store must be memory, sqlite, sqlite-os or sqlite-effects: " + store);
        };
    }

    /** Over {@code composite}: TCP preferred, Unix domain sockets the fallback; the TCP member, for its port. */
    private TcpTransport composedTcp;

    private Transport transport(String kind, String address, boolean sender, String prefix, Path dir) {
        if (kind.equals("composite")) {
            composedTcp = (TcpTransport) transport("tcp", address, sender, prefix, dir);
            return CompositeTransport.builder()
                    .member(composedTcp)
                    .member(transport("uds", address, sender, prefix, dir))
                    .build();
        }
        if (kind.equals("nats")) {
            return NatsTransport.builder().servers(address).prefix(prefix).build();
        }
        if (kind.equals("uds")) {
            UdsTransport.Builder b = UdsTransport.builder()
                    .listen(dir.resolve((sender ? SENDER : RECEIVER) + ".sock"))
                    .nativeEpoll(!Boolean.getBoolean("tether.bench.nio"));
            // -Dtether.bench.udsBuffer=N (--child-jvm-arg) measures another socket buffer; 0: the kernel's default.
            Integer buffer = Integer.getInteger("tether.bench.udsBuffer");
            if (buffer != null) b.socketBufferBytes(buffer);
            if (sender) b.peer(RECEIVER, dir.resolve(RECEIVER + ".sock"));
            return b.build();
        }
        // -Dtether.bench.nio=true (--child-jvm-arg) compares with the JDK's NIO sockets.
        TcpTransport.Builder b = TcpTransport.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .nativeEpoll(!Boolean.getBoolean("tether.bench.nio"));
        if (sender) {
            b.peer(RECEIVER, new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(address)));
        }
        return b.build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) throw new IllegalArgumentException("usage: see PeerProcess javadoc");
        PeerProcess p = new PeerProcess(args);
        reply("READY "
                + (p.tcp == null ? "-" : String.valueOf(p.tcp.boundAddress().getPort())));
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
            case "EXPECT" -> {
                run = new Run(Long.parseLong(w[1]), w[2].equals("1"));
                yield "ARMED";
            }
            case "AWAIT" -> awaitRun();
            case "STORESTATS" -> "STORESTATS " + store.drain();
            case "PING" -> {
                node.send(RECEIVER, payload(-1)).processed().get(2, TimeUnit.MINUTES);
                yield "PONG";
            }
            case "BURST" -> "SENT " + burst(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]));
            case "RATE" ->
                "SENT "
                        + paced(
                                Integer.parseInt(w[1]),
                                Integer.parseInt(w[2]),
                                Integer.parseInt(w[3]),
                                Integer.parseInt(w[4]));
            case "RTT" ->
                "RTT " + w[1] + " " + roundTrips(Integer.parseInt(w[1])).wire();
            case "RTTC" ->
                "RTT " + w[1] + " " + chainedRoundTrips(Integer.parseInt(w[1])).wire();
            case "REQ" ->
                "REQ " + w[1] + " "
                        + callLoad(w[2], w[3])
                                .roundTrips(Integer.parseInt(w[1]))
                                .wire();
            case "REQP" ->
                "REQP " + w[1] + " "
                        + callLoad(w[4], w[5])
                                .pipelined(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]));
            default -> throw new IllegalArgumentException("unknown command " + w[0]);
        };
    }

    /** Requests of {@code size} bytes, volatile if {@code volatileFlag} is 1. */
    private CallLoad callLoad(String size, String volatileFlag) {
        return new CallLoad(node, RECEIVER, Integer.parseInt(size), volatileFlag.equals("1"));
    }

    private void onMessage(Delivery d) {
        long now = System.nanoTime();
        ByteBuffer p = d.payload();
        long index = p.getLong(p.position() + 8);
        if (index < 0) return;
        Run r = run;
        if (r.latency != null && index < r.latency.length) r.latency[(int) index] = now - p.getLong(p.position());
        if (r.count.incrementAndGet() == r.expected) r.lastAt = now;
    }

    private String awaitRun() {
        Run r = run;
        long deadline = System.nanoTime() + AWAIT_NANOS;
        // lastAt too: the handler thread that counts the last delivery writes it just after its increment, and a
        // DONE read between the two reported a last delivery at 0 (a negative rate in the cold round of a run)
        while ((r.count.get() < r.expected || r.lastAt == 0) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(200_000);
        }
        Latency l = r.latency == null ? Latency.NONE : Latency.of(r.latency);
        return "DONE " + r.count.get() + " " + r.lastAt + " " + l.wire();
    }

    /** Pipelined sends spread over lanes; returns the start time. */
    private long burst(int n, int lanes, int maxOutstanding) throws Exception {
        String[] names = laneNames(lanes);
        Outstanding out = new Outstanding(maxOutstanding);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            out.before(i);
            out.after(i, send(names[i % lanes], payload(i)));
        }
        return start;
    }

    /** Sends paced to {@code perSecond} over {@code lanes} (parking, not spinning: the machine has 2 cores). */
    private long paced(int n, int perSecond, int lanes, int maxOutstanding) throws Exception {
        String[] names = laneNames(lanes);
        Outstanding out = new Outstanding(maxOutstanding);
        long interval = 1_000_000_000L / perSecond;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            out.before(i);
            out.after(i, send(names[i % lanes], payload(i)));
        }
        return start;
    }

    private static String[] laneNames(int lanes) {
        String[] names = new String[lanes];
        for (int i = 0; i < lanes; i++) names[i] = "lane-" + i;
        return names;
    }

    private Latency roundTrips(int n) throws Exception {
        long[] rtt = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            node.send(RECEIVER, "rtt", payload(-1)).processed().get(1, TimeUnit.MINUTES);
            rtt[i] = System.nanoTime() - t;
        }
        return Latency.of(rtt);
    }

    /**
     * Round trips chained by callbacks, as an asynchronous application writes them: each {@code processed()}
     * completion (which runs on the node thread) records its round trip and sends the next message.
     */
    private Latency chainedRoundTrips(int n) throws Exception {
        long[] rtt = new long[n];
        CompletableFuture<Void> done = new CompletableFuture<>();
        chainStep(rtt, 0, done);
        done.get(5, TimeUnit.MINUTES);
        return Latency.of(rtt);
    }

    private void chainStep(long[] rtt, int i, CompletableFuture<Void> done) {
        long t = System.nanoTime();
        node.send(RECEIVER, "rtt", payload(-1)).processed().whenComplete((outcome, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
                return;
            }
            rtt[i] = System.nanoTime() - t;
            if (i + 1 == rtt.length) done.complete(null);
            else chainStep(rtt, i + 1, done);
        });
    }

    /** Sends, retrying while the node's pending-send budget is full (nothing was queued then, so order holds). */
    private SendReceipt send(String lane, byte[] payload) {
        while (true) {
            try {
                return node.send(RECEIVER, lane, payload);
            } catch (QueueFullException e) {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    private static byte[] payload(long index) {
        return ByteBuffer.allocate(NetworkBench.PAYLOAD)
                .putLong(0, System.nanoTime())
                .putLong(8, index)
                .array();
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /**
     * Bounds sent-but-unprocessed messages: every {@link #CHECKPOINT_EVERY}-th send asks for its {@code
     * processed()} future, and a send waits for the checkpoint {@code max} messages back.
     */
    private static final class Outstanding {
        private final int max;
        private final ArrayDeque<Long> indexes = new ArrayDeque<>();
        private final ArrayDeque<CompletableFuture<?>> futures = new ArrayDeque<>();

        Outstanding(int max) {
            this.max = max;
        }

        void before(long i) throws Exception {
            while (!indexes.isEmpty() && indexes.peekFirst() <= i - max) {
                indexes.pollFirst();
                futures.pollFirst().get(2, TimeUnit.MINUTES);
            }
        }

        void after(long i, SendReceipt r) {
            if (i % CHECKPOINT_EVERY == 0) {
                indexes.addLast(i);
                futures.addLast(r.processed());
            }
        }
    }
}
