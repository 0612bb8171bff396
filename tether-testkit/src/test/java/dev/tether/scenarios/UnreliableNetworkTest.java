package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.numbered;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.fixtures.FaultyTransport;
import dev.tether.internal.engine.Frame;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Frames dropped, duplicated and reordered by the network: the application still sees each message once, in order. */
class UnreliableNetworkTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void reorderedDuplicatedAndDroppedFramesAreDeliveredOnceInOrder() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("UnreliableNetworkTest seed=" + seed);
        Map<NodeId, FaultyTransport> faulty = new HashMap<>();
        try (Cluster c = new Cluster("a", "b")) {
            c.transports(id -> {
                FaultyTransport t = FaultyTransport.builder(c.network.newTransport())
                        .seed(seed + id.hashCode())
                        .drop(0.05)
                        .duplicate(0.1)
                        .reorder(0.1)
                        .delay(0.1, Duration.ofMillis(3))
                        .build();
                faulty.put(id, t);
                return t;
            });
            TetherNode a = c.start("a", cfg -> cfg.window(64));
            TetherNode b = c.start("b", cfg -> cfg.window(64));
            for (int i = 0; i < 2000; i++) {
                a.send(B, utf8("x" + i));
                b.send(A, utf8("y" + i));
            }
            Await.until(
                    DEADLINE,
                    () -> c.seen("b").size() >= 2000 && c.seen("a").size() >= 2000,
                    () -> "deliveries " + c.seen("a").size() + "/" + c.seen("b").size() + " seed=" + seed);
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("x", 0, 2000));
            assertThat(c.payloads("a", "b", "default")).containsExactlyElementsOf(numbered("y", 0, 2000));
            assertThat(faulty.get(A).drops() + faulty.get(B).drops()).isPositive();
            assertThat(faulty.get(A).duplicates() + faulty.get(B).duplicates()).isPositive();
            assertThat(faulty.get(A).reorders() + faulty.get(B).reorders()).isPositive();
            long dups = a.stats().duplicatesDropped() + b.stats().duplicatesDropped();
            assertThat(dups).as("duplicates removed by the receivers").isPositive();
        }
    }

    @Test
    void lostAcknowledgmentsAreRecoveredWithoutReprocessing() {
        DropFrames[] bOut = new DropFrames[1];
        try (Cluster c = new Cluster("a", "b")) {
            c.transports(id -> {
                if (!id.equals(B)) return c.network.newTransport();
                bOut[0] = new DropFrames(c.network.newTransport(), Frame.ACK);
                return bOut[0];
            });
            TetherNode a = c.start("a");
            c.start("b");
            a.send(B, utf8("open"));
            Await.until(DEADLINE, () -> c.seen("b").size() == 1, () -> "stream open");
            bOut[0].active = true;
            for (int i = 0; i < 50; i++) a.send(B, utf8("k" + i));
            Await.until(DEADLINE, () -> c.seen("b").size() == 51, () -> "processed while acks are lost");
            Await.until(
                    DEADLINE,
                    () -> a.stats().stream(B, "default", StreamStats.Direction.OUTBOUND)
                                    .retransmitted()
                            > 0,
                    () -> "sender retransmits for lack of acks");
            bOut[0].active = false;
            Await.until(
                    DEADLINE,
                    () -> a.stats().stream(B, "default", StreamStats.Direction.OUTBOUND)
                                    .cursor()
                            == 51,
                    () -> "acks get through");
            assertThat(bOut[0].dropped.get()).isPositive();
            assertThat(c.payloads("b", "a", "default").subList(1, 51)).containsExactlyElementsOf(numbered("k", 0, 50));
        }
    }
}
