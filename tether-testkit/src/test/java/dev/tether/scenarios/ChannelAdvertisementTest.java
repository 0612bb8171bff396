package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.internal.node.RealTetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Channel memberships in {@code _hello} between real nodes (in-memory transport and stores): a join, a role change and
 * a leave reach the peers' {@code peers().channels()}; a node with channels and no handlers advertises; stored
 * memberships are advertised again after a restart; bogus channel entries are counted and dropped while the rest of
 * the advertisement is kept.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelAdvertisementTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    static Map<String, ChannelRole> channelsOf(TetherNode n, NodeId peer) {
        return n.peers().stream()
                .filter(p -> p.id().equals(peer))
                .map(PeerInfo::channels)
                .findFirst()
                .orElse(Map.of());
    }

    private static void awaitChannels(TetherNode at, NodeId peer, Map<String, ChannelRole> expected) {
        Await.until(
                DEADLINE,
                () -> channelsOf(at, peer).equals(expected),
                () -> at.id() + " sees " + peer + "'s channels as " + expected + ": " + at.peers());
    }

    @Test
    void joinsRoleChangesAndLeavesReachThePeerWithoutAnyHandler() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            b.join("news", ChannelRole.READ).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            awaitChannels(a, B, Map.of("news", ChannelRole.READ));
            b.join("orders", ChannelRole.WRITE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            awaitChannels(a, B, Map.of("news", ChannelRole.READ, "orders", ChannelRole.WRITE));
            b.join("news", ChannelRole.READ_WRITE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            awaitChannels(a, B, Map.of("news", ChannelRole.READ_WRITE, "orders", ChannelRole.WRITE));
            b.leave("news").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            awaitChannels(a, B, Map.of("orders", ChannelRole.WRITE));
            b.leave("orders").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            awaitChannels(a, B, Map.of());
            assertThat(a.peers().get(0).handlers()).isEmpty();
            assertThat(b.peers().get(0).channels()).isEmpty(); // a joined nothing
        }
    }

    @Test
    void storedMembershipsAreAdvertisedAgainAfterARestartAndAPeerThatConnectsLaterLearnsThem() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.start("b", cfg -> cfg.handle("work", call -> null));
            // a is not there yet: the join waits for it, and so does the advertisement
            CompletableFuture<Void> joined = b.join("news", ChannelRole.READ);
            TetherNode a = c.start("a");
            joined.get(DEADLINE.toSeconds(), TimeUnit.SECONDS); // stored, and taken by a
            a.awaitHandler(B, "work", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            awaitChannels(a, B, Map.of("news", ChannelRole.READ));
            c.crash("b");
            c.start("b"); // no handlers now, still a member on its store: it advertises for its channel alone
            Await.until(DEADLINE, () -> resumed(c, "a", 2), () -> "b back: " + c.events("a"));
            awaitChannels(a, B, Map.of("news", ChannelRole.READ));
            assertThat(a.peers().get(0).handlers()).isEmpty();
        }
    }

    private static boolean resumed(Cluster c, String node, int times) {
        return c.events(node).stream()
                        .filter(e -> e instanceof TetherEvent.PeerResumed)
                        .count()
                >= times;
    }

    @Test
    void bogusChannelEntriesAreCountedAndDroppedAndTheRestOfTheAdvertisementIsKept() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b", cfg -> cfg.handle("good", call -> call.payloadBytes()));
            b.join("news", ChannelRole.READ).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            awaitChannels(a, B, Map.of("news", ChannelRole.READ));
            String hello = "tether-hello 1\nid b\nepoch "
                    + Long.toHexString(((RealTetherNode) b).runtime().epoch())
                    + "\nseq 99999999999999999\nhandlers good pushed\n"
                    + "channels news:READ bad/name:READ _all:READ chat:ADMIN orders:WRITE orders:READ\n";
            ((RealTetherNode) b)
                    .runtime()
                    .submit(
                            A,
                            "_v._sys",
                            Map.of(":h", "_hello", ":k", "t"),
                            hello.getBytes(StandardCharsets.UTF_8),
                            0,
                            null)
                    .processed()
                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            awaitChannels(a, B, Map.of("news", ChannelRole.READ, "orders", ChannelRole.WRITE));
            assertThat(a.peers().get(0).handlers()).containsExactly("good", "pushed");
            assertThat(a.stats().calls().invalidCalls()).isEqualTo(1);
            assertThat(a.stats().protocolErrors()).isEqualTo(1);
            List<String> reasons = c.events("a").stream()
                    .filter(e -> e instanceof TetherEvent.ProtocolError)
                    .map(e -> ((TetherEvent.ProtocolError) e).reason())
                    .toList();
            assertThat(reasons)
                    .singleElement()
                    .satisfies(r -> assertThat(r)
                            .startsWith(
                                    "invalid entries in the advertisement from b: channel 'bad/name:READ' (invalid channel")
                            .contains("channel '_all:READ' (channel '_all' starts with '_'")
                            .contains("channel 'chat:ADMIN' (unknown role 'ADMIN')")
                            .contains("channel 'orders:READ' (channel listed twice)")
                            .endsWith("; those dropped, the rest kept"));
            // The node keeps serving b.
            assertThat(new String(
                            a.call(B, "good")
                                    .request("ok".getBytes(StandardCharsets.UTF_8))
                                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS)
                                    .payloadBytes(),
                            StandardCharsets.UTF_8))
                    .isEqualTo("ok");
        }
    }
}
