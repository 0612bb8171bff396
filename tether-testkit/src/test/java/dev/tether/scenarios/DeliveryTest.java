package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.numbered;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Normal operation: both directions, many peers, lanes, receipts and statistics. */
class DeliveryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void twoPeersExchangeInBothDirectionsInOrder() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            List<SendReceipt> receipts = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                receipts.add(a.send(NodeId.of("b"), utf8("ab" + i)));
                receipts.add(b.send(NodeId.of("a"), utf8("ba" + i)));
            }
            Await.until(DEADLINE, () -> c.seen("b").size() == 500 && c.seen("a").size() == 500, () -> "deliveries");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("ab", 0, 500));
            assertThat(c.payloads("a", "b", "default")).containsExactlyElementsOf(numbered("ba", 0, 500));
            for (SendReceipt r : receipts) {
                assertThat(r.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            }
            MessageId first = receipts.get(0).accepted().get();
            assertThat(first).isEqualTo(new MessageId(NodeId.of("b"), "default", 1));
            assertThat(c.seen("b")).allSatisfy(s -> assertThat(s.redelivery()).isFalse());
        }
    }

    @Test
    void severalPeersAllToAllOnSeveralLanes() {
        String[] names = {"n1", "n2", "n3", "n4"};
        try (Cluster c = new Cluster(names)) {
            for (String n : names) c.start(n);
            int perStream = 200;
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
                    () -> {
                        for (String n : names) if (c.seen(n).size() < expected) return false;
                        return true;
                    },
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
    void statisticsCountBothSidesOfAStream() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            for (int i = 0; i < 50; i++) a.send(NodeId.of("b"), "lane-s", utf8("m" + i));
            Await.until(
                    DEADLINE,
                    () -> a.stats().inFlight() == 0
                            && a.stats().queued() == 0
                            && c.seen("b").size() == 50,
                    () -> "acked");
            StreamStats out = a.stats().stream(NodeId.of("b"), "lane-s", StreamStats.Direction.OUTBOUND);
            assertThat(out.lastSeq()).isEqualTo(50);
            Await.until(
                    DEADLINE,
                    () -> a.stats().stream(NodeId.of("b"), "lane-s", StreamStats.Direction.OUTBOUND)
                                    .cursor()
                            == 50,
                    () -> "sender cursor");
            StreamStats in = b.stats().stream(NodeId.of("a"), "lane-s", StreamStats.Direction.INBOUND);
            assertThat(in.delivered()).isEqualTo(50);
            assertThat(in.cursor()).isEqualTo(50);
            assertThat(b.stats().delivered()).isEqualTo(50);
            assertThat(a.stats().connectedPeers()).containsExactly(NodeId.of("b"));
        }
    }
}
