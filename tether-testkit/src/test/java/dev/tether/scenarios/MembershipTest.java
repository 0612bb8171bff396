package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.PeerRemoval;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import dev.tether.discovery.StaticDiscovery;
import dev.tether.spi.Discovery;
import dev.tether.testkit.Await;
import dev.tether.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dynamic membership over the in-memory network, whose transports prove each other's identity: admission of
 * unconfigured peers, the allow-list, addPeer/removePeer at runtime, discovery, peers(), PeerResumed and RTT.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MembershipTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private static boolean resumed(Cluster c, String node, NodeId peer, int times) {
        return c.events(node).stream()
                        .filter(e -> e.equals(new TetherEvent.PeerResumed(peer)))
                        .count()
                >= times;
    }

    private static PeerInfo info(TetherNode n, NodeId peer) {
        return n.peers().stream().filter(p -> p.id().equals(peer)).findFirst().orElse(null);
    }

    @Test
    void aPeerNobodyConfiguredIsAdmittedOnItsProofAndCanBeSentTo() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.startUnconfigured("a", b -> {}); // a knows nobody
            assertThatThrownBy(() -> a.send(B, utf8("too early")))
                    .isInstanceOf(UnknownPeerException.class)
                    .hasMessageContaining("unknown peer b")
                    .hasMessageContaining("addPeer(b)");
            TetherNode b = c.start("b");
            Await.until(DEADLINE, () -> resumed(c, "a", B, 1), () -> "b resumed at a: " + c.events("a"));
            assertThat(info(a, B).origin()).isEqualTo(PeerInfo.Origin.ADMITTED);
            a.send(B, utf8("hello b")).accepted().join();
            b.send(A, utf8("hello a")).processed().join();
            Await.until(DEADLINE, () -> c.seen("b").size() == 1, () -> "b got a's message");
            assertThat(c.seen("a")).extracting(Cluster.Seen::payload).containsExactly("hello a");
            assertThat(a.stats().protocolErrors()).isZero();
            assertThat(a.stats().connectionsRejected()).isZero();
        }
    }

    @Test
    void theAllowListRefusesOthersWithAReasonAndAdmitsMatchingIds() {
        try (Cluster c = new Cluster("a", "b", "w-1")) {
            TetherNode a = c.startUnconfigured("a", b -> b.allowedPeers("w-*"));
            c.startUnconfigured("w-1", b -> {});
            c.startUnconfigured("b", b -> {});
            NodeId w1 = NodeId.of("w-1");
            Await.until(DEADLINE, () -> resumed(c, "a", w1, 1), () -> "w-1 admitted: " + c.events("a"));
            Await.until(
                    DEADLINE,
                    () -> c.events("a").stream()
                            .anyMatch(e -> e instanceof TetherEvent.ConnectionRejected r
                                    && r.remote().equals("b")
                                    && r.reason().contains("matches none of its allowedPeers [w-*]")),
                    () -> "b refused at a: " + c.events("a"));
            Await.until(
                    DEADLINE,
                    () -> c.events("b").stream()
                            .anyMatch(e -> e instanceof TetherEvent.ConnectionRejected r
                                    && r.reason().startsWith("refused by the peer: b is not a configured")),
                    () -> "b told why: " + c.events("b"));
            assertThat(a.stats().connectedPeers()).containsExactly(w1);
            assertThat(a.stats().connectionsRejected()).isEqualTo(1);
            assertThatThrownBy(() -> a.send(B, utf8("x"))).isInstanceOf(UnknownPeerException.class);
            // b and w-1 admit each other (no allow-list there): the refusal concerns a alone
            Await.until(DEADLINE, () -> resumed(c, "b", w1, 1), () -> "b and w-1 connected");
        }
    }

    @Test
    void addPeerAdmitsARefusedPeerAndRemovePeerKeepsItsBacklogUntilItIsAddedAgain() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.startUnconfigured("a", b -> b.allowedPeers("nobody"));
            TetherNode b = c.start("b");
            Await.until(DEADLINE, () -> a.stats().connectionsRejected() == 1, () -> "b refused at a");

            a.addPeer(B);
            Await.until(DEADLINE, () -> resumed(c, "a", B, 1), () -> "b admitted once added");
            assertThat(info(a, B).origin()).isEqualTo(PeerInfo.Origin.ADDED);
            a.send(B, utf8("m1")).processed().join();

            PeerRemoval r = a.removePeer(B);
            assertThat(r.wasKnown()).isTrue();
            assertThat(r.wasConnected()).isTrue();
            assertThat(r.outboundStreams()).isEqualTo(1);
            assertThat(r.unacknowledged()).isZero();
            assertThatThrownBy(() -> a.send(B, utf8("refused")))
                    .isInstanceOf(UnknownPeerException.class)
                    .hasMessageContaining("was removed from node a; addPeer(b)");
            Await.until(DEADLINE, () -> !b.stats().connectedPeers().contains(A), () -> "b sees a go");
            assertThat(a.peers()).extracting(PeerInfo::id).doesNotContain(B);
            // b keeps sending to a: stored, not delivered, while a refuses it
            b.send(A, utf8("while removed")).accepted().join();
            assertThat(c.seen("a")).isEmpty();
            assertThat(a.stats().connectedPeers()).isEmpty();

            a.addPeer(B);
            Await.until(DEADLINE, () -> c.seen("a").size() == 1, () -> "b's backlog after a added it again");
            a.send(B, utf8("m2")).processed().join();
            assertThat(c.payloads("b", "a", "default")).containsExactly("m1", "m2");
            assertThat(a.stats().protocolErrors()).isZero();
        }
    }

    @Test
    void aRemovalIsStoredAConfiguredPeerStaysRemovedAfterARestartUntilItIsAddedAgain() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            a.send(B, utf8("m1")).processed().get(20, TimeUnit.SECONDS);
            a.removePeer(B); // returns once the removal is stored
            c.kill("a");
            TetherNode again = c.start("a"); // b is still configured
            assertThatThrownBy(() -> again.send(B, utf8("refused")))
                    .isInstanceOf(UnknownPeerException.class)
                    .hasMessageContaining("was removed from node a");
            assertThat(again.peers()).extracting(PeerInfo::id).doesNotContain(B);
            b.send(A, utf8("from b while removed")).accepted().join();
            Await.until(DEADLINE, () -> again.stats().connectionsRejected() > 0, () -> "b refused after the restart");
            assertThat(c.seen("a")).isEmpty();

            again.addPeer(B);
            Await.until(DEADLINE, () -> c.seen("a").size() == 1, () -> "b's message once a added it again");
            assertThat(again.send(B, utf8("m2")).processed().get(20, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            assertThat(c.payloads("b", "a", "default")).containsExactly("m1", "m2");
        }
    }

    @Test
    void anAdditionIsStoredAnAddedPeerIsStillAdmittedAfterARestart() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.startUnconfigured("a", b -> b.allowedPeers("nobody"));
            c.start("b");
            a.addPeer(B);
            a.send(B, utf8("m1")).processed().get(20, TimeUnit.SECONDS);
            c.kill("a");
            TetherNode again = c.startUnconfigured("a", b -> b.allowedPeers("nobody"));
            assertThat(info(again, B).origin()).isEqualTo(PeerInfo.Origin.ADDED);
            assertThat(again.send(B, utf8("m2")).processed().get(20, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            assertThat(again.stats().connectionsRejected()).isZero();

            again.removePeer(B); // the latest decision wins
            c.kill("a");
            TetherNode third = c.startUnconfigured("a", b -> b.allowedPeers("nobody"));
            assertThat(third.peers()).extracting(PeerInfo::id).doesNotContain(B);
            assertThat(c.payloads("b", "a", "default")).containsExactly("m1", "m2");
        }
    }

    @Test
    void addingOrRemovingTheNodeItselfOrWithBadArgumentsFailsClearly() {
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.startUnconfigured("a", b -> {});
            assertThatThrownBy(() -> a.addPeer(A))
                    .isInstanceOf(UnknownPeerException.class)
                    .hasMessageContaining("cannot add itself");
            assertThatThrownBy(() -> a.addPeer(null)).isInstanceOf(NullPointerException.class);
            PeerRemoval r = a.removePeer(NodeId.of("never-seen"));
            assertThat(r.wasKnown()).isFalse();
            assertThat(r.wasConnected()).isFalse();
        }
    }

    @Test
    void discoveredMembersAreKnownBeforeTheyConnectAndReceiveWhatWasSentMeanwhile() {
        try (Cluster c = new Cluster("a", "b", "c")) {
            Discovery members =
                    StaticDiscovery.builder().member(A).member(B).member(C).build();
            TetherNode a = c.startUnconfigured("a", b -> b.discovery(members));
            Await.until(DEADLINE, () -> a.peers().size() == 2, () -> "b and c discovered: " + a.peers());
            assertThat(a.peers()).extracting(PeerInfo::origin).containsOnly(PeerInfo.Origin.DISCOVERED);
            assertThat(a.peers()).noneMatch(PeerInfo::connected);
            a.send(C, utf8("for c, sent before c started")).accepted().join();
            assertThat(info(a, C).unacknowledged()).isEqualTo(1);
            c.startUnconfigured("c", b -> {});
            Await.until(DEADLINE, () -> c.seen("c").size() == 1, () -> "c got it");
            Await.until(DEADLINE, () -> info(a, C).unacknowledged() == 0, () -> "acknowledged");
            assertThat(info(a, C).connected()).isTrue();
            assertThat(info(a, B).connected()).isFalse();
        }
    }

    @Test
    void aRemovedPeerIsNotRediscoveredAndInvalidDiscoveryInputIsCountedAsAProtocolError() {
        AtomicReference<Discovery.Listener> hook = new AtomicReference<>();
        Discovery probe = new Discovery() {
            @Override
            public void start(NodeId self, Listener listener) {
                hook.set(listener);
            }

            @Override
            public void close() {}
        };
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.startUnconfigured("a", b -> b.discovery(probe));
            Discovery.Listener l = hook.get();
            l.onDiscovered(NodeId.of("x"), List.of());
            Await.until(DEADLINE, () -> info(a, NodeId.of("x")) != null, () -> "x discovered");
            a.removePeer(NodeId.of("x"));
            l.onDiscovered(NodeId.of("x"), List.of());
            l.onDiscovered(NodeId.of("y"), List.of("   "));
            l.onInvalid(NodeId.of("z"), "member list of 100000 entries, at most 1024");
            Await.until(DEADLINE, () -> a.stats().protocolErrors() == 2, () -> "two invalid inputs counted");
            assertThat(a.peers()).isEmpty();
            assertThat(c.events("a"))
                    .anySatisfy(e -> assertThat(e)
                            .isEqualTo(new TetherEvent.ProtocolError(
                                    NodeId.of("z"), "membership: member list of 100000 entries, at most 1024")));
            assertThatThrownBy(() -> a.send(NodeId.of("x"), utf8("no"))).isInstanceOf(UnknownPeerException.class);
            assertThatThrownBy(() -> a.send(NodeId.of("y"), utf8("no"))).isInstanceOf(UnknownPeerException.class);
        }
    }

    @Test
    void theRoundTripIsMeasuredToTheMicrosecondOnTheMonotonicClock() {
        // The wall clock stands still: a round trip taken from it would be exactly 0 (it was, in whole ms).
        ManualClock frozen =
                new ManualClock(Instant.parse("2026-12-04T12:00:00Z").toEpochMilli());
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", b -> b.clock(frozen));
            c.start("b", b -> b.clock(frozen));
            Await.until(DEADLINE, () -> info(a, B) != null && info(a, B).roundTrip() != null, () -> "measured");
            Duration rtt = info(a, B).roundTrip();
            assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(5));
            assertThat(rtt.toNanos() % 1_000).as("microsecond resolution").isZero();
        }
    }

    @Test
    void peerResumedFollowsEveryReconnectAndTheRoundTripIsMeasured() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start("b");
            Await.until(DEADLINE, () -> resumed(c, "a", B, 1), () -> "first resume");
            Await.until(DEADLINE, () -> info(a, B).roundTrip() != null, () -> "round trip measured");
            assertThat(info(a, B).roundTrip()).isLessThan(Duration.ofSeconds(5));
            assertThat(info(a, B).lastSeen()).isNotNull();
            for (int round = 2; round <= 4; round++) {
                c.network.disconnect(A, B);
                a.send(B, utf8("during cut " + round)).accepted().join();
                c.network.connect(A, B);
                int r = round;
                Await.until(
                        DEADLINE,
                        () -> resumed(c, "a", B, r),
                        () -> "resume " + r + ": " + c.events("a") + " b: " + c.events("b") + " " + a.stats() + " seen "
                                + c.seen("b"));
            }
            Await.until(DEADLINE, () -> c.seen("b").size() == 3, () -> "every message sent during the cuts");
            List<TetherEvent> membership = c.events("a").stream()
                    .filter(e -> e instanceof TetherEvent.PeerConnected
                            || e instanceof TetherEvent.PeerResumed
                            || e instanceof TetherEvent.PeerDisconnected)
                    .toList();
            for (int i = 0; i < membership.size(); i += 3) {
                assertThat(membership.get(i)).isEqualTo(new TetherEvent.PeerConnected(B));
                assertThat(membership.get(i + 1)).isEqualTo(new TetherEvent.PeerResumed(B));
                if (i + 2 < membership.size()) {
                    assertThat(membership.get(i + 2)).isEqualTo(new TetherEvent.PeerDisconnected(B));
                }
            }
        }
    }
}
