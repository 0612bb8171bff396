package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.management.NodeKickResult;
import dev.tether.management.NodeManagement;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kicking a node from the whole cluster (issue 10 item 5): every node removes it as a peer and drops what it owed it
 * (counted), its connections are refused with the reason, and all of it outlives restarts until it is re-admitted.
 */
class ClusterKickTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);

    @Test
    void aKickedNodeIsRemovedByEveryNodeWithWhatTheyOwedItUntilReadmitted() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            TetherNode cn = c.start("c");
            cn.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            a.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            a.publish(CH, utf8("a1")).get(10, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> c.payloads("c", "a", LANE).size() == 1, () -> "c to get a1: " + c.seen("c"));
            // and a to hear c's ACK of a1: crashed before it, a would still owe c a1 and drop three, not two
            awaitNothingOwed(a, C);

            c.crash("c");
            SendReceipt direct1 = a.send(C, utf8("d1"));
            SendReceipt direct2 = a.send(C, utf8("d2"));
            direct2.accepted().get(10, TimeUnit.SECONDS);
            a.publish(CH, utf8("a2")).get(10, TimeUnit.SECONDS);
            a.publish(CH, utf8("a3")).get(10, TimeUnit.SECONDS);

            NodeKickResult kicked = Tether.management(a).kick(C);
            assertThat(kicked).isEqualTo(new NodeKickResult(C, true, 2, 2, List.of(B)));
            assertThat(direct1.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PURGED);
            assertThat(direct2.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PURGED);
            assertThat(Tether.management(a).subscribers(CH)).isEmpty();
            assertThat(Tether.management(a).topology().kicked()).containsExactly(C);
            assertThat(ids(a.peers())).containsExactly(B);
            assertThat(c.events("a")).contains(new TetherEvent.NodeKicked(C, A, 2, 2));
            Await.until(
                    DEADLINE,
                    () -> c.events("b").contains(new TetherEvent.NodeKicked(C, A, 0, 0)),
                    () -> "b to take the kick: " + c.events("b"));
            assertThat(ids(b.peers())).containsExactly(A);
            assertThat(Tether.management(b).topology().kicked()).containsExactly(C);

            TetherNode restarted = c.start("c");
            SendReceipt fromC = restarted.send(A, utf8("from c"));
            assertRefused(c, restarted);

            c.crash("a"); // the kick is stored: a restarted a still refuses c
            a = c.start("a");
            assertThat(ids(a.peers())).containsExactly(B);
            assertThat(Tether.management(a).topology().kicked()).containsExactly(C);

            assertThat(Tether.management(b).readmit(C)).containsExactly(A);
            TetherNode a2 = a;
            Await.until(
                    DEADLINE,
                    () -> connected(a2, C) && connected(b, C),
                    () -> "c to be connected again: a " + a2.peers() + ", b " + b.peers());
            assertThat(fromC.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(Tether.management(a).topology().kicked()).isEmpty();
            assertThat(Tether.management(b).topology().kicked()).isEmpty();

            restarted.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS); // its reader row went with the kick
            a.publish(CH, utf8("a4")).get(10, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> c.payloads("c", "a", LANE).contains("a4"), () -> "c to get a4: " + c.seen("c"));
            assertThat(c.firstDeliveries("c", "a", LANE)).containsExactly("a1", "a4");
            assertThat(c.payloads("c", "a", "default")).isEmpty(); // the purged direct messages never came
        }
    }

    @Test
    void aConnectedNodeKickedFromTheClusterLearnsItFromEachPeerOnceAndIsAdmittedAgainOnReadmit() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            TetherNode cn = c.start("c");
            Await.until(DEADLINE, () -> connected(cn, A) && connected(cn, B), () -> "c connected: " + cn.peers());

            assertThat(Tether.management(a).kick(C).told()).containsExactly(B);
            Await.until(
                    DEADLINE,
                    () -> kicks(c).size() == 2,
                    () -> "c to learn of the kick from a and b: " + c.events("c"));
            TetherEvent.KickedFromCluster fromA =
                    new TetherEvent.KickedFromCluster(A, A, kicks(c).get(0).generation());
            assertThat(kicks(c))
                    .containsExactlyInAnyOrder(fromA, new TetherEvent.KickedFromCluster(B, A, fromA.generation()));
            assertThat(cn.stats().kickedFromCluster()).isEqualTo(2);
            assertThat(refused(c, "c", "a") && refused(c, "c", "b")).isTrue();
            assertThat(connected(cn, A) || connected(cn, B)).isFalse();
            long rejected = cn.stats().connectionsRejected();
            // a round trip between a and b, after which c has not knocked again
            assertThat(a.send(B, utf8("ab")).processed().get(10, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            assertThat(cn.stats().connectionsRejected()).isEqualTo(rejected);
            assertThat(kicks(c)).hasSize(2);

            assertThat(Tether.management(a).readmit(C)).containsExactly(B);
            Await.until(
                    DEADLINE,
                    () -> connected(cn, A) && connected(cn, B),
                    () -> "c to be connected again: " + cn.peers() + " " + c.events("c"));
            assertThat(cn.send(A, utf8("back")).processed().get(10, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);

            Tether.management(b).kick(C); // a second kick is news again, with its newer generation
            Await.until(DEADLINE, () -> kicks(c).size() == 4, () -> "c to learn of the second kick: " + c.events("c"));
            assertThat(kicks(c).subList(2, 4))
                    .extracting(TetherEvent.KickedFromCluster::by, TetherEvent.KickedFromCluster::generation)
                    .containsOnly(org.assertj.core.groups.Tuple.tuple(B, fromA.generation() + 2));
        }
    }

    private static List<TetherEvent.KickedFromCluster> kicks(Cluster c) {
        return c.events("c").stream()
                .filter(e -> e instanceof TetherEvent.KickedFromCluster)
                .map(e -> (TetherEvent.KickedFromCluster) e)
                .toList();
    }

    @Test
    void aNodeCannotKickItselfAndAnUnknownNodeIsKickedBeforeItIsEverSeen() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start("b");
            NodeManagement m = Tether.management(a);
            assertThatThrownBy(() -> m.kick(A))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot kick itself");
            assertThatThrownBy(() -> m.readmit(A)).isInstanceOf(IllegalArgumentException.class);

            NodeId stranger = NodeId.of("x");
            assertThat(m.kick(stranger)).isEqualTo(new NodeKickResult(stranger, false, 0, 0, List.of(B)));
            Await.until(
                    DEADLINE,
                    () -> Tether.management(c.node("b")).topology().kicked().contains(stranger),
                    () -> "b to take the kick: " + c.events("b"));
            assertThat(m.readmit(stranger)).containsExactly(B);
            Await.until(
                    DEADLINE,
                    () -> Tether.management(c.node("b")).topology().kicked().isEmpty(),
                    () -> "b to take the readmit: " + c.events("b"));
        }
    }

    /** The restarted kicked node c is refused by a and b, with the reason. */
    private static void assertRefused(Cluster c, TetherNode restarted) {
        Await.until(
                DEADLINE,
                () -> refused(c, "c", "a") && refused(c, "c", "b"),
                () -> "c to be refused by a and b: " + c.events("c"));
        assertThat(connected(restarted, A) || connected(restarted, B)).isFalse();
    }

    private static boolean refused(Cluster c, String node, String by) {
        return c.events(node).stream()
                .anyMatch(e -> e instanceof TetherEvent.ConnectionRejected r
                        && r.remote().equals(by)
                        && r.reason().contains(node + " was kicked from the cluster by a (generation ")
                        && r.reason().contains("refused by " + by + " until readmitted"));
    }

    private static boolean connected(TetherNode n, NodeId peer) {
        return n.peers().stream().anyMatch(p -> p.id().equals(peer) && p.connected());
    }

    private static List<NodeId> ids(List<PeerInfo> peers) {
        return peers.stream().map(PeerInfo::id).toList();
    }

    private static void awaitNothingOwed(TetherNode node, NodeId peer) {
        Await.until(DEADLINE, () -> owedTo(node, peer) == 0, () -> "all acknowledged by " + peer + ": " + node.stats());
    }

    /** What {@code node} has sent {@code peer} and not had acknowledged, over all of its streams to it. */
    private static long owedTo(TetherNode node, NodeId peer) {
        long owed = 0;
        for (dev.tether.StreamStats t : node.stats().streams()) {
            if (t.peer().equals(peer) && t.direction() == dev.tether.StreamStats.Direction.OUTBOUND) {
                owed += t.queued() + t.inFlight();
            }
        }
        return owed;
    }
}
