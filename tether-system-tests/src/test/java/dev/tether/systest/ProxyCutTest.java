package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.net.TcpProxy;
import dev.tether.testkit.sim.CheckReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Item 3: two node processes whose TCP connections all pass through {@link TcpProxy}s in the test JVM (each node
 * dials the other through one), cut every 100-300 ms (seeded) while both send 1,500 messages to each other
 * ({@code -Dtether.system.cut.messages=N} for more):
 * every message is delivered, in order, exactly once (no process crashes, so the application must not see any
 * message twice).
 */
class ProxyCutTest {
    /** Messages each way; {@code -Dtether.system.cut.messages=N} for a longer run (at 200 per second). */
    private static final int QUOTA = Integer.getInteger("tether.system.cut.messages", 1_500);

    @Test
    void connectionCutRepeatedlyLosesAndDuplicatesNothing() throws IOException {
        long seed = Seeds.seed("proxy cuts");
        Random random = new Random(seed);
        int portA = Ports.free();
        int portB = Ports.free();
        ScheduledExecutorService cutter = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger cuts = new AtomicInteger();
        try (TcpProxy toA = TcpProxy.start(new InetSocketAddress("127.0.0.1", portA));
                TcpProxy toB = TcpProxy.start(new InetSocketAddress("127.0.0.1", portB));
                NodeCluster cluster = new NodeCluster("proxy-cuts", seed)) {
            cluster.start("a", args("b", portA, toB, QUOTA));
            cluster.start("b", args("a", portB, toA, QUOTA));
            scheduleCut(cutter, random, cuts, toA, toB);
            for (String node : List.of("a", "b")) {
                cluster.awaitProgress(
                        node, p -> p.accepted() == QUOTA && p.delivered() == QUOTA, Duration.ofMinutes(3));
            }
            cutter.shutdownNow();
            System.out.printf(
                    "proxy cuts seed %d: %d cuts, %d + %d connections forwarded%n",
                    seed, cuts.get(), toA.forwardedConnections(), toB.forwardedConnections());
            CheckReport report = cluster.finishAndCheck(0);
            assertThat(report.totals().get("processed")).isEqualTo(2L * QUOTA);
            // Each message reached the application exactly once. (A few may carry the redelivery flag: a stream's
            // first messages, if a cut lost their first transmission; see docs/PROTOCOL.md, "Redelivery flag".)
            assertThat(report.totals().get("delivered")).isEqualTo(2L * QUOTA);
            assertThat(cuts.get()).as("cuts while the messages flowed").isPositive();
        } finally {
            cutter.shutdownNow();
        }
    }

    private static List<String> args(String peer, int listen, TcpProxy toPeer, int quota) {
        return List.of(
                "peers=" + peer,
                "listen=" + listen,
                "dial=" + peer + "@127.0.0.1:" + toPeer.address().getPort(),
                "quota=" + quota,
                "rate=200");
    }

    /** Cuts every connection through both proxies, then schedules the next cut 100-300 ms later. */
    private static void scheduleCut(
            ScheduledExecutorService cutter, Random random, AtomicInteger cuts, TcpProxy x, TcpProxy y) {
        cutter.schedule(
                () -> {
                    x.cutAll();
                    y.cutAll();
                    cuts.incrementAndGet();
                    scheduleCut(cutter, random, cuts, x, y);
                },
                100 + random.nextInt(201),
                TimeUnit.MILLISECONDS);
    }
}
