package dev.tether.bench.event;

import dev.tether.Durability;
import dev.tether.EventHandle;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Stats;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.measure.SummaryRow;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.tcp.TcpTransport;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Event trigger latency (issue 9: "event trigger to remote await completion: p50 <= 2x the raw socket ping-pong"):
 * two Tether nodes in this JVM over TCP on loopback. Node A owns an event, node B awaits it (its registration has
 * reached A before the clock starts), then A triggers it with a 100-byte payload; the figure is the time from the
 * {@code trigger} call on A to the completion of B's future (on B's node thread), one event at a time. On A the trigger
 * stores the event's new state and the notice to B in one store batch, then the notice crosses the connection. As
 * the peer, in the same run and the same JVM: a raw Java socket ping-pong over loopback TCP ({@code TCP_NODELAY},
 * 100 bytes each way, one round trip at a time, an echo thread on the other end).
 *
 * <p>Usage: {@code scripts/bench events [--events N] [--repeat N] [--max-warmup N] [--store memory|sqlite-fsync]
 * [--summary FILE] [--quick]}. CPU per event is this JVM's CPU (both nodes, the driver) over a round divided by its
 * events, and covers the whole cycle: create, remote await (registration and notice), trigger, and the driver's
 * wait for the registration (parked in 20 µs steps).
 */
public final class EventBench {
    private static final int PAYLOAD = 100;
    private static final NodeId A = NodeId.of("bench-a");
    private static final NodeId B = NodeId.of("bench-b");
    private static final long WAIT_SECONDS = 60;

    private EventBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        boolean quick = o.containsKey("--quick");
        int events = Integer.parseInt(o.getOrDefault("--events", quick ? "300" : "3000"));
        int repeat = Integer.parseInt(o.getOrDefault("--repeat", quick ? "2" : String.valueOf(Steady.REPEAT)));
        int maxWarmUp =
                Integer.parseInt(o.getOrDefault("--max-warmup", quick ? "2" : String.valueOf(Steady.MAX_WARM_UP)));
        String store = o.getOrDefault("--store", "memory");
        if (!List.of("memory", "sqlite-fsync").contains(store)) {
            throw new IllegalArgumentException("store must be memory or sqlite-fsync, was " + store);
        }
        System.out.printf(
                Locale.ROOT,
                "# event bench: trigger on A -> await completes on B, TCP loopback, %d events per round, store %s,"
                        + " %d cores, %s; load average %s%n",
                events,
                store,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"),
                Load.now());
        Path dir = Files.createTempDirectory("tether-eventbench-");
        TcpTransport tb = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        TetherNode b = start(B, tb, store, dir);
        TcpTransport ta = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .peer(B, tb.boundAddress())
                .build();
        TetherNode a = start(A, ta, store, dir);
        long[][] last = {new long[0]};
        Series tether;
        try {
            tether = Steady.run("event-trigger", maxWarmUp, repeat, Steady::nanos, () -> {
                Meter m = Meter.start();
                last[0] = triggers(a, b, events);
                return m.round(Stats.percentile(last[0], 0.5), events);
            });
        } finally {
            a.shutdown(Duration.ofSeconds(5));
            b.shutdown(Duration.ofSeconds(5));
        }
        report(o, store, tether, Stats.percentile(last[0], 0.99), pingPong(events, repeat, maxWarmUp));
    }

    private static void report(Map<String, String> o, String store, Series tether, long tetherP99, Series raw) {
        System.out.printf(
                Locale.ROOT,
                "event trigger -> remote await p50 median %s (last round p99 %s), CPU %.2f us/event; raw socket"
                        + " ping-pong p50 median %s, CPU %.2f us/round trip; ratio %.2f (target <= 2); durability %s;"
                        + " load average at the end %s%n",
                Steady.nanos(tether.median()),
                Steady.nanos(tetherP99),
                tether.cpuMedian() / 1e3,
                Steady.nanos(raw.median()),
                raw.cpuMedian() / 1e3,
                tether.median() / raw.median(),
                durability(store),
                Load.now());
        if (o.containsKey("--summary")) {
            SummaryRow.append(
                    Path.of(o.get("--summary")),
                    List.of(new SummaryRow(
                            "event trigger to remote await over TCP: p50 <= 2x a raw socket ping-pong",
                            SummaryRow.nanosFigure(tether, "p50"),
                            tether.cpuMedian(),
                            SummaryRow.peer("raw socket ping-pong p50", Steady.nanos(raw.median()), raw),
                            SummaryRow.ratio(tether.median(), raw.median()),
                            tether.median() <= 2 * raw.median() ? "met" : "**not met**",
                            tether.loadText(),
                            "scripts/bench events")));
        }
    }

    /** {@code n} events one at a time: each awaited on {@code b}, then triggered on {@code a}; the latencies in ns. */
    private static long[] triggers(TetherNode a, TetherNode b, int n) {
        long[] latency = new long[n];
        byte[] payload = new byte[PAYLOAD];
        try {
            for (int i = 0; i < n; i++) {
                EventHandle h = a.createEvent();
                long[] doneAt = new long[1];
                CompletableFuture<byte[]> f = b.await(h).whenComplete((v, e) -> doneAt[0] = System.nanoTime());
                long registered = a.eventStats().remoteWaiters();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                while (registered < 1) { // B's registration has reached A; not part of the figure
                    if (System.nanoTime() > deadline) throw new IllegalStateException("await never registered");
                    LockSupport.parkNanos(20_000); // not spinning: the CPU figure would count the wait
                    registered = a.eventStats().remoteWaiters();
                }
                long start = System.nanoTime();
                a.trigger(h, payload);
                byte[] got = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
                if (got.length != PAYLOAD) throw new IllegalStateException("payload of " + got.length + " bytes");
                latency[i] = doneAt[0] - start;
            }
        } catch (Exception e) {
            throw new IllegalStateException("event round failed", e);
        }
        return latency;
    }

    private static TetherNode start(NodeId self, TcpTransport transport, String store, Path dir) {
        NodeId peer = self.equals(A) ? B : A;
        Store s = store.equals("memory") ? new InMemoryStore() : new SqliteStore(dir.resolve(self + ".db"));
        return Tether.start(TetherConfig.builder(self)
                .peers(peer)
                .transport(transport)
                .store(s)
                .durability(store.equals("memory") ? Durability.MEMORY : Durability.FSYNC)
                .build());
    }

    private static String durability(String store) {
        return store.equals("memory") ? "MEMORY (in-memory stores)" : "FSYNC (SQLite, both nodes)";
    }

    /** The raw floor: 100-byte round trips over a loopback socket to an echo thread. */
    private static Series pingPong(int n, int repeat, int maxWarmUp) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> echo(server), "bench-echo");
            echo.setDaemon(true);
            echo.start();
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[PAYLOAD];
                return Steady.run("socket-pingpong", maxWarmUp, repeat, Steady::nanos, () -> {
                    Meter m = Meter.start();
                    long[] rtt = new long[n];
                    try {
                        for (int i = 0; i < n; i++) {
                            long t = System.nanoTime();
                            out.write(buf);
                            in.readFully(buf);
                            rtt[i] = System.nanoTime() - t;
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return m.round(Stats.percentile(rtt, 0.5), n);
                });
            }
        }
    }

    private static void echo(ServerSocket server) {
        try (Socket s = server.accept()) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[PAYLOAD];
            while (true) {
                in.readFully(buf);
                out.write(buf);
            }
        } catch (java.io.EOFException | java.net.SocketException closed) {
            // the client closed: done
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> options(String... args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                m.put("--quick", "");
            } else if (List.of("--events", "--repeat", "--max-warmup", "--store", "--summary")
                    .contains(args[i])) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
                m.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; see EventBench javadoc");
            }
        }
        return m;
    }
}
