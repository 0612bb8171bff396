package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.management.NodeManagement;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dashboard's snapshots: shared between streams for a moment, then taken anew; channels included. */
class DashboardSnapshotTest {
    private final InMemoryNetwork network = new InMemoryNetwork();
    private TetherNode node;

    @AfterEach
    void close() {
        if (node != null) node.close();
    }

    @Test
    void streamsShareASnapshotForFiftyMillisecondsThenANewOneIsTaken() throws Exception {
        node = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler((Delivery d) -> {})
                .build());
        node.join("news", ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
        AtomicInteger topologies = new AtomicInteger();
        NodeManagement counting = counting(Tether.management(node), topologies);
        AtomicLong now = new AtomicLong(1_000);
        Dashboard d = new Dashboard(counting, null, now::get);

        String first = d.snapshot();
        assertThat(d.snapshot()).isSameAs(first);
        now.set(1_049);
        assertThat(d.snapshot()).as("49 ms later, another stream").isSameAs(first);
        assertThat(topologies).hasValue(1);
        now.set(1_050);
        String second = d.snapshot();
        assertThat(second).isNotSameAs(first).contains("\"at\":1050");
        assertThat(d.taken()).isEqualTo(2);
        assertThat(topologies).hasValue(2);
        now.set(900);
        assertThat(d.snapshot()).as("a clock set back takes a new one").contains("\"at\":900");
        assertThat(first).contains("\"channels\":[{\"channel\":\"news\",\"role\":\"WRITE\"");
    }

    @Test
    void whileASnapshotIsTakenOtherStreamsWaitForItInsteadOfTakingTheirOwnInTurn() throws Exception {
        node = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build());
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger topologies = new AtomicInteger();
        NodeManagement slow = intercepting(Tether.management(node), topologies, () -> {
            entered.countDown();
            answer.await(30, TimeUnit.SECONDS); // a node slow to answer
        });
        AtomicLong now = new AtomicLong(1_000);
        Dashboard d = new Dashboard(slow, null, now::get);
        java.util.concurrent.ExecutorService viewers = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            var first = viewers.submit(d::snapshot);
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            var second = viewers.submit(d::snapshot);
            // the dashboard is not locked while the node is slow: another caller gets through at once
            assertThat(viewers.submit(d::taken).get(10, TimeUnit.SECONDS)).isZero();
            now.set(2_000); // later than sharing allows: without waiting for the first, the second would take anew
            answer.countDown();
            assertThat(second.get(30, TimeUnit.SECONDS)).isSameAs(first.get(30, TimeUnit.SECONDS));
            assertThat(topologies).hasValue(1);
        } finally {
            answer.countDown();
            viewers.shutdownNow();
        }
    }

    @Test
    void aNodeThatDoesNotAnswerIsShownUnavailableAndTheStreamGoesOn() throws Exception {
        node = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build());
        AtomicInteger topologies = new AtomicInteger();
        NodeManagement failingOnce = intercepting(Tether.management(node), topologies, () -> {
            if (topologies.get() == 1) throw new dev.tether.TetherException("node a did not answer within 10 s");
        });
        Dashboard d = new Dashboard(failingOnce, null);
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                java.net.Socket client =
                        new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.getLocalPort());
                java.net.Socket served = server.accept()) {
            client.setSoTimeout(30_000);
            TimedSocket c = new TimedSocket(served, java.time.Duration.ofSeconds(30));
            Thread stream = new Thread(() -> {
                try {
                    d.live(c, 100);
                } catch (java.io.IOException e) {
                    // the test closed the connection
                }
            });
            stream.start();
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(client.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            java.util.List<String> events = new java.util.ArrayList<>();
            for (String line; events.size() < 2 && (line = in.readLine()) != null; ) {
                if (line.startsWith("event: ")) events.add(line);
                if (line.startsWith("data: {\"reason\"")) assertThat(line).contains("did not answer within 10 s");
            }
            assertThat(events).containsExactly("event: unavailable", "event: snapshot");
            c.close();
            stream.join(30_000);
        }
    }

    /** {@code m}, counting the calls of {@code topology()} and running {@code before} ahead of each. */
    private static NodeManagement intercepting(NodeManagement m, AtomicInteger topologies, Before before) {
        return (NodeManagement) Proxy.newProxyInstance(
                NodeManagement.class.getClassLoader(), new Class<?>[] {NodeManagement.class}, (proxy, method, args) -> {
                    if (method.getName().equals("topology")) {
                        topologies.incrementAndGet();
                        before.run();
                    }
                    try {
                        return method.invoke(m, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private interface Before {
        void run() throws Exception;
    }

    /** {@code m}, counting the calls of {@code topology()}. */
    private static NodeManagement counting(NodeManagement m, AtomicInteger topologies) {
        return (NodeManagement) Proxy.newProxyInstance(
                NodeManagement.class.getClassLoader(), new Class<?>[] {NodeManagement.class}, (proxy, method, args) -> {
                    if (method.getName().equals("topology")) topologies.incrementAndGet();
                    try {
                        return method.invoke(m, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
