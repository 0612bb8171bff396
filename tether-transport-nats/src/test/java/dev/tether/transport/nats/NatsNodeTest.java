package dev.tether.transport.nats;

import static dev.tether.transport.nats.NatsNodes.numbered;
import static dev.tether.transport.nats.NatsNodes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.fixtures.NatsCluster;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole Tether nodes talking over real nats-server processes: normal operation, outages, late servers, clusters. */
class NatsNodeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final NodeId B = NodeId.of("b");

    @Test
    void fourNodesAllToAllOnTwoLanesInOrder() {
        String[] names = {"n1", "n2", "n3", "n4"};
        try (NatsServerProcess server = NatsServerProcess.start();
                NatsNodes c = new NatsNodes("all", names)) {
            for (String n : names) c.start(n, List.of(server.url()));
            int perStream = 100;
            for (int i = 0; i < perStream; i++) {
                for (String from : names) {
                    for (String to : names) {
                        if (from.equals(to)) continue;
                        for (String lane : List.of("x", "y")) {
                            c.node(from).send(NodeId.of(to), lane, utf8(from + lane + i));
                        }
                    }
                }
            }
            int expected = perStream * 3 * 2;
            Await.until(
                    DEADLINE,
                    () -> List.of(names).stream().allMatch(n -> c.seen(n).size() >= expected),
                    () -> "all-to-all deliveries");
            for (String to : names) {
                assertThat(c.seen(to)).hasSize(expected);
                for (String from : names) {
                    if (from.equals(to)) continue;
                    for (String lane : List.of("x", "y")) {
                        assertThat(c.payloads(to, from, lane))
                                .containsExactlyElementsOf(numbered(from + lane, 0, perStream));
                    }
                }
            }
        }
    }

    @Test
    void thousandDurableMessagesArriveCompleteAndInOrder(@TempDir Path dir) throws Exception {
        try (NatsServerProcess server = NatsServerProcess.start();
                NatsNodes c = new NatsNodes("sqlite", id -> new SqliteStore(dir.resolve(id + ".db")), "a", "b")
                        .durability(Durability.FSYNC)) {
            TetherNode a = c.start("a", List.of(server.url()));
            c.start("b", List.of(server.url()));
            List<SendReceipt> receipts = new ArrayList<>();
            for (int i = 0; i < 1000; i++) receipts.add(a.send(B, utf8("m" + i)));

            Await.until(DEADLINE, () -> c.seen("b").size() >= 1000, () -> "1000 deliveries");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("m", 0, 1000));
            assertThat(c.seen("b")).noneMatch(NatsNodes.Seen::redelivery);
            for (SendReceipt r : receipts) r.processed().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void messagesSentWhileNatsIsDownArriveAfterItReturns() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.start();
                NatsNodes c = new NatsNodes("outage", "a", "b")) {
            TetherNode a = c.start("a", List.of(server.url()));
            c.start("b", List.of(server.url()));
            for (int i = 0; i < 500; i++) a.send(B, utf8("m" + i));
            Await.until(DEADLINE, () -> c.seen("b").size() >= 100, () -> "first deliveries");

            server.kill();
            Await.until(DEADLINE, () -> a.stats().connectedPeers().isEmpty(), () -> "a to see b down");
            List<SendReceipt> during = new ArrayList<>();
            for (int i = 500; i < 1000; i++) during.add(a.send(B, utf8("m" + i)));
            for (SendReceipt r : during) r.accepted().get(30, TimeUnit.SECONDS);
            assertThat(c.transport("a").isAttached()).isFalse();
            server.restart();

            Await.until(DEADLINE, () -> c.seen("b").size() >= 1000, () -> "all 1000 after the outage");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("m", 0, 1000));
            assertThat(c.transport("a").sessions()).isEqualTo(2);
        }
    }

    @Test
    void nodesStartedBeforeNatsExistsDeliverOnceItStarts() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.builder().build();
                NatsNodes c = new NatsNodes("late", "a", "b")) {
            TetherNode a = c.start("a", List.of(server.url()));
            TetherNode b = c.start("b", List.of(server.url()));
            List<SendReceipt> receipts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                receipts.add(a.send(B, utf8("ab" + i)));
                receipts.add(b.send(NodeId.of("a"), utf8("ba" + i)));
            }
            for (SendReceipt r : receipts) r.accepted().get(30, TimeUnit.SECONDS);
            assertThat(c.transport("a").isAttached()).isFalse();

            server.restart();
            Await.until(
                    DEADLINE,
                    () -> c.seen("b").size() >= 200 && c.seen("a").size() >= 200,
                    () -> "deliveries once NATS started");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("ab", 0, 200));
            assertThat(c.payloads("a", "b", "default")).containsExactlyElementsOf(numbered("ba", 0, 200));
        }
    }

    @Test
    void clusterServerUnderANodeIsKilledAndDeliveryContinuesThroughAnother() {
        try (NatsCluster cluster = NatsCluster.start();
                NatsNodes c = new NatsNodes("cluster", "a", "b")) {
            TetherNode a = c.start("a", cluster.urls());
            c.start("b", cluster.urls());
            Await.until(DEADLINE, () -> c.connected("a", "b"), () -> "a and b connected");
            for (int i = 0; i < 1000; i++) a.send(B, utf8("m" + i));
            Await.until(DEADLINE, () -> c.seen("b").size() >= 200, () -> "first deliveries");

            String attached = c.transport("a").connectedServer().orElseThrow();
            NatsServerProcess victim = cluster.servers().stream()
                    .filter(s -> attached.contains(":" + s.port()))
                    .findFirst()
                    .orElseThrow();
            victim.kill();
            for (int i = 1000; i < 2000; i++) a.send(B, utf8("m" + i));

            Await.until(DEADLINE, () -> c.seen("b").size() >= 2000, () -> "all 2000 through the other servers");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("m", 0, 2000));
            assertThat(victim.isRunning()).isFalse();
            assertThat(c.transport("a").connectedServer()).get().asString().doesNotContain(":" + victim.port());
        }
    }
}
