package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.internal.engine.Frame;
import dev.tether.management.NodeManagement;
import dev.tether.management.SubscriberStatus;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A kick and a re-admission of the same node decided at the same time on two nodes end the same on every node, in
 * whichever order each takes them (the verdict of the greater generation wins, then that of the greater node id:
 * here both have generation 1, so b's re-admission wins over a's kick); and a node kicked from a channel leaves it at
 * the publishers that did not take the kick yet and drops what they still send it.
 */
class KickRaceTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");
    private static final NodeId W = NodeId.of("w");
    private static final NodeId X = NodeId.of("x");
    private static final String CH = "news";

    @Test
    void aClusterKickAndAReadmissionRacingEndTheSameOnEveryNodeInBothOrders() {
        try (Cluster c = new Cluster("a", "b", "c", "d")) {
            NodeManagement a = Tether.management(c.start("a"));
            NodeManagement b = Tether.management(c.start("b"));
            NodeManagement cm = Tether.management(c.start("c"));
            NodeManagement d = Tether.management(c.start("d"));
            isolate(c, A, B, C, D);

            a.kick(X); // generation 1 by a
            b.readmit(X); // generation 1 by b, decided without knowing of the kick
            assertThat(a.topology().kicked()).containsExactly(X);
            c.network.connect(A, C); // c takes the kick first, d the re-admission first
            c.network.connect(B, D);
            Await.until(DEADLINE, () -> cm.topology().kicked().contains(X), () -> "c to take the kick");
            Await.until(DEADLINE, () -> settled(c, "b", D), () -> "d to take the re-admission");
            c.network.connect(B, C);
            c.network.connect(A, D);
            c.network.connect(A, B);
            Await.until(
                    DEADLINE,
                    () -> a.topology().kicked().isEmpty()
                            && b.topology().kicked().isEmpty()
                            && cm.topology().kicked().isEmpty()
                            && d.topology().kicked().isEmpty()
                            && allDelivered(c),
                    () -> "every node to hold the re-admission: a "
                            + a.topology().kicked() + ", b "
                            + b.topology().kicked() + ", c " + cm.topology().kicked() + ", d "
                            + d.topology().kicked());
        }
    }

    @Test
    void aChannelKickAndAReadmissionRacingEndTheSameOnEveryNodeInBothOrders() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c", "d")) {
            for (String n : List.of("a", "b", "c", "d")) c.start(n);
            isolate(c, A, B, C, D);
            Tether.management(c.node("a")).kick(X, CH);
            Tether.management(c.node("b")).readmit(X, CH);
            c.network.connect(A, C);
            c.network.connect(B, D);
            Await.until(DEADLINE, () -> banned(c, "c") && settled(c, "b", D), () -> "c, d to take kick, readmit");
            c.network.connect(B, C);
            c.network.connect(A, D);
            c.network.connect(A, B);
            Await.until(
                    DEADLINE,
                    () -> List.of("a", "b", "c", "d").stream().noneMatch(n -> banned(c, n)) && allDelivered(c),
                    () -> "every node to hold the re-admission: "
                            + List.of("a", "b", "c", "d").stream()
                                    .map(n -> n + " "
                                            + Tether.management(c.node(n)).channels())
                                    .toList());
        }
    }

    @Test
    void aKickedNodeLeavesAtPublishersThatDidNotTakeTheKickAndDropsWhatTheySend() throws Exception {
        try (Cluster c = new Cluster("a", "b", "w")) {
            DropFrames bData = new DropFrames(c.network.newTransport(), Frame.DATA); // holds b's leave until w2 came
            TetherNode a = c.start("a");
            TetherNode b = c.start("b", x -> x.transport(bData));
            TetherNode w = c.start("w");
            b.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            w.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            w.publish(CH, utf8("w1")).get(10, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> c.payloads("b", "w", Channels.lane(CH)).contains("w1"), () -> "b to get w1");

            c.network.disconnect(W, A); // w does not hear of the kick
            c.network.disconnect(W, B);
            bData.active = true;
            Tether.management(a).kick(B, CH);
            Await.until(DEADLINE, () -> c.events("b").contains(new TetherEvent.ChannelKicked(CH, A)), () -> "b told");
            w.publish(CH, utf8("w2")).get(10, TimeUnit.SECONDS); // b is still a reader of w's log
            c.network.connect(W, B);
            Await.until(
                    DEADLINE,
                    () -> c.events("b").contains(new TetherEvent.ChannelMessageRefused(CH, W, 2)),
                    () -> "b to drop w2: " + c.events("b"));
            bData.active = false; // b's leave goes out now
            Await.until(DEADLINE, () -> readers(w).isEmpty(), () -> "b to leave at w: " + readers(w));
            assertThat(c.payloads("b", "w", Channels.lane(CH))).containsExactly("w1");
        }
    }

    /** Whether every kick message {@code from} sent to {@code to} is acknowledged. */
    private static boolean settled(Cluster c, String from, NodeId to) {
        List<StreamStats> streams = c.node(from).stats().streams().stream()
                .filter(s -> s.direction() == StreamStats.Direction.OUTBOUND
                        && s.lane().equals("_ch")
                        && s.peer().equals(to))
                .toList();
        return !streams.isEmpty() && streams.stream().allMatch(s -> s.cursor() == s.lastSeq());
    }

    /** Whether every kick message between the nodes is acknowledged. */
    private static boolean allDelivered(Cluster c) {
        for (String from : List.of("a", "b")) {
            for (NodeId to : List.of(A, B, C, D)) {
                if (!to.value().equals(from) && !settled(c, from, to)) return false;
            }
        }
        return true;
    }

    private static List<NodeId> readers(TetherNode n) {
        return Tether.management(n).subscribers(CH).stream()
                .map(SubscriberStatus::reader)
                .toList();
    }

    private static boolean banned(Cluster c, String n) {
        return Tether.management(c.node(n)).channels().stream()
                .anyMatch(s -> s.kicked().contains(X));
    }

    /** Cuts every link between {@code ids}. */
    private static void isolate(Cluster c, NodeId... ids) {
        for (NodeId i : ids) {
            for (NodeId j : ids) {
                if (i.value().compareTo(j.value()) < 0) c.network.disconnect(i, j);
            }
        }
    }
}
