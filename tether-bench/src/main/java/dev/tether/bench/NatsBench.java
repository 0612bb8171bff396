package dev.tether.bench;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Tether;
import dev.tether.TetherConfig;
import dev.tether.TetherNode;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.nats.NatsServerProcess;
import dev.tether.transport.nats.NatsTransport;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Two Tether nodes over NATS in one JVM: in-memory stores (durability MEMORY), 100-byte payloads, one direction,
 * pipelined; throughput from the first send to the last delivery. As a peer, in the same run and against the same
 * server, it measures raw core NATS: one jnats connection publishing the same number of 100-byte messages to
 * another that subscribes (at-most-once, no acknowledgments).
 *
 * <p>Usage: {@code java -cp ... dev.tether.bench.NatsBench [messages] [rounds] [nats-url]}; without a URL it
 * starts a nats-server on a free loopback port (needs {@code nats-server} installed).
 */
public final class NatsBench {
    private static final int PAYLOAD = 100;
    private static final NodeId A = NodeId.of("bench-a");
    private static final NodeId B = NodeId.of("bench-b");

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        NatsServerProcess server = args.length > 2 ? null : NatsServerProcess.start();
        String url = server != null ? server.url() : args[2];
        try {
            System.out.printf(
                    Locale.ROOT,
                    "# NATS bench: %,d messages x %d B one way, %d rounds, %d cores, %s, store memory, server %s%n",
                    messages,
                    PAYLOAD,
                    rounds,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.version"),
                    url);
            tether(url, messages / 4, "warmup"); // not reported
            double[] tether = new double[rounds];
            double[] raw = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                tether[r] = tether(url, messages, "round" + r);
                raw[r] = rawNats(url, messages, "raw" + r);
                System.out.printf(
                        Locale.ROOT,
                        "round %d: tether %,.0f msg/s   raw core NATS %,.0f msg/s%n",
                        r + 1,
                        tether[r],
                        raw[r]);
            }
            System.out.printf(
                    Locale.ROOT,
                    "throughput median: tether over NATS %,.0f msg/s, raw core NATS pub/sub %,.0f msg/s%n",
                    median(tether),
                    median(raw));
        } finally {
            if (server != null) server.close();
        }
    }

    /** Messages per second from the first send to the last delivery, over a fresh pair of nodes. */
    static double tether(String url, int messages, String prefix) throws InterruptedException {
        AtomicLong delivered = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        TetherNode a = Tether.start(config(url, prefix, A, B, d -> {}));
        TetherNode b = Tether.start(config(url, prefix, B, A, d -> {
            if (delivered.incrementAndGet() == messages) done.countDown();
        }));
        try {
            while (!a.stats().connectedPeers().contains(B)) LockSupport.parkNanos(1_000_000);
            byte[] payload = new byte[PAYLOAD];
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                ByteBuffer.wrap(payload).putInt(0, i);
                a.send(B, payload);
            }
            if (!done.await(10, TimeUnit.MINUTES)) throw new IllegalStateException("bench did not finish");
            return messages / ((System.nanoTime() - start) / 1e9);
        } finally {
            a.close();
            b.close();
        }
    }

    private static TetherConfig config(
            String url, String prefix, NodeId self, NodeId peer, dev.tether.MessageHandler handler) {
        NatsTransport transport = NatsTransport.builder()
                .servers(url)
                .prefix("bench." + prefix)
                .announceInterval(Duration.ofMillis(100))
                .build();
        return TetherConfig.builder(self)
                .peers(peer)
                .transport(transport)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .maxMessageBytes(64 * 1024)
                .window(8192)
                .handler(handler)
                .build();
    }

    /** Raw core NATS: one connection publishes, another subscribes; messages per second until the last arrives. */
    static double rawNats(String url, int messages, String subject) throws Exception {
        Connection sub = Nats.connect(Options.builder().server(url).build());
        Connection pub = Nats.connect(Options.builder().server(url).build());
        try {
            AtomicLong received = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            sub.createDispatcher(m -> {
                        if (received.incrementAndGet() == messages) done.countDown();
                    })
                    .subscribe(subject)
                    .setPendingLimits(-1, -1);
            sub.flush(Duration.ofSeconds(5));
            byte[] payload = new byte[PAYLOAD];
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) pub.publish(subject, payload);
            pub.flush(Duration.ofSeconds(30));
            if (!done.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("raw NATS lost messages: " + received.get() + " of " + messages);
            }
            return messages / ((System.nanoTime() - start) / 1e9);
        } finally {
            pub.close();
            sub.close();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
