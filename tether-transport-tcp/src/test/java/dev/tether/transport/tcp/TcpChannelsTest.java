package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelAccess;
import dev.tether.ChannelAccessDeniedException;
import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.ChannelRoleException;
import dev.tether.Channels;
import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.management.SubscriberStatus;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel between real nodes over TCP on loopback with SQLite stores (fsync), every link through a proxy that cuts
 * connections mid-stream: two readers each get every publish in order, once, and a reader stopped meanwhile gets what
 * was published while it was away when it starts again on its file; nodes restarted on their files are still members
 * with their roles, without joining again; a join a publisher's allow-list refuses fails at the joiner, which leaves
 * no membership behind; memberships reach the peers' {@code peers()} through their advertisements.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpChannelsTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final NodeId P = NodeId.of("p");
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final List<NodeId> ALL = List.of(P, A, B);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);

    static {
        System.out.println("TcpChannelsTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    @TempDir
    Path dir;

    private final ProxiedCluster cluster = new ProxiedCluster(SEED, ALL, b -> b);
    private final Map<NodeId, TetherNode> nodes = new ConcurrentHashMap<>();
    private final Map<NodeId, List<String>> got = new ConcurrentHashMap<>();
    private final Map<NodeId, List<TetherEvent>> events = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        nodes.values().forEach(TetherNode::close);
        cluster.close();
    }

    @Test
    void readersGetEveryPublishInOrderOnceThroughConnectionCutsAndARestart() throws Exception {
        TetherNode p = start(P);
        TetherNode a = start(A);
        TetherNode b = start(B);
        p.join(CH, ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        a.join(CH, ChannelRole.READ).get(30, TimeUnit.SECONDS);
        b.join(CH, ChannelRole.READ).get(30, TimeUnit.SECONDS);
        publish(p, 0, 300);
        cluster.proxy(P, A).cutAll();
        cluster.proxy(P, B).cutAll();
        publish(p, 300, 600);
        awaitAll(A, 600);
        b.close(); // stopped on its file; p holds what b has not taken care of
        nodes.remove(B);
        publish(p, 600, 1000);
        cluster.proxy(P, A).cutAll();
        start(B);
        awaitAll(A, 1000);
        awaitAll(B, 1000);
        for (NodeId r : List.of(A, B)) {
            List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(got.get(r)));
            assertThat(distinct).as(r + " in order, every one").containsExactlyElementsOf(numbered(0, 1000));
        }
        assertThat(got.get(A)).as("a, which never stopped, got each once").hasSize(1000);
    }

    @Test
    void nodesRestartedOnTheirFilesAreStillMembersWithTheirRoles() throws Exception {
        TetherNode p = start(P);
        TetherNode a = start(A);
        TetherNode b = start(B);
        p.join(CH, ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        a.join(CH, ChannelRole.READ).get(30, TimeUnit.SECONDS);
        b.join(CH, ChannelRole.READ_WRITE).get(30, TimeUnit.SECONDS);
        publish(p, 0, 50);
        awaitAll(A, 50);
        for (NodeId n : ALL) nodes.remove(n).close();
        p = start(P);
        a = start(A);
        b = start(B);
        publish(p, 50, 100); // neither p nor its readers joined again: their memberships are stored
        b.publish(CH, "from b".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        awaitAll(A, 101);
        awaitAll(B, 100);
        List<String> fromP = new ArrayList<>(new java.util.LinkedHashSet<>(got.get(A)));
        assertThat(fromP.remove("from b")).as("a got b's publish").isTrue();
        assertThat(fromP).as("a, every one of p's, in order").containsExactlyElementsOf(numbered(0, 100));
        assertThatThrownBy(() -> nodes.get(A).publish(CH, new byte[1]))
                .isInstanceOf(ChannelRoleException.class)
                .hasMessageContaining("joined it READ");
    }

    @Test
    void retentionByBytesHoldsAcrossAPublisherRestartAndTheReaderAndPublisherCountTheSameMissed() throws Exception {
        TetherNode p = start(P);
        start(A); // a peer, no member
        TetherNode b = start(B);
        p.join(CH, ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        b.join(CH, ChannelRole.READ).get(30, TimeUnit.SECONDS);
        b.close(); // the only reader, stopped on its file: the log holds everything published meanwhile
        nodes.remove(B);
        publish(p, 0, 30); // "m0".."m9" 2 bytes, "m10".."m29" 3 bytes: 80 bytes, no limit yet
        p.close();
        nodes.remove(P);
        p = start(P); // options are not stored: set again after the restart, sizes come from the file
        p.channelOptions(CH, ChannelOptions.unlimited().withMaxBytes(30));
        publish(p, 30, 31); // 3 bytes more: the newest 30 bytes are m21..m30
        start(B);
        awaitAll(B, 10);
        assertThat(new ArrayList<>(new java.util.LinkedHashSet<>(got.get(B))))
                .containsExactlyElementsOf(numbered(21, 31));
        Await.until(
                DEADLINE,
                () -> missed(events.get(B)) == 21 && dropped(events.get(P), B) == 21,
                () -> "b missed " + missed(events.get(B)) + ", p counted " + dropped(events.get(P), B));
    }

    @Test
    void aJoinThePublishersAllowListRefusesFailsAndLeavesNoMembership() throws Exception {
        TetherNode p = start(P);
        TetherNode a = start(A); // sets no access: takes b's join, then its leave
        TetherNode b = start(B);
        p.channelAccess(CH, ChannelAccess.anyone().withReaders("a"));
        p.join(CH, ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        a.join(CH, ChannelRole.READ).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> b.join(CH, ChannelRole.READ).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ChannelAccessDeniedException.class)
                .hasMessageContaining("channel 'news'")
                .hasMessageContaining("refused by [p]");
        // b's own log of the channel has a as a reader (a told b of its join): b is no member, its role is none
        assertThat(Tether.management(b).channels()).allMatch(ch -> ch.role() == null);
        assertThat(Tether.management(a).subscribers(CH))
                .extracting(SubscriberStatus::reader)
                .doesNotContain(B);
        publish(p, 0, 5);
        awaitAll(A, 5);
        assertThat(Tether.management(p).subscribers(CH))
                .extracting(SubscriberStatus::reader)
                .containsExactly(A);
        assertThat(got.get(B)).isEmpty();
        nodes.remove(B).close();
        assertThat(Tether.management(start(B)).channels())
                .as("no membership stored")
                .allMatch(ch -> ch.role() == null);
    }

    @Test
    void membershipsReachThePeersThroughTheHelloAcrossConnectionCutsAndARestart() throws Exception {
        TetherNode p = start(P);
        start(A);
        TetherNode b = start(B);
        b.join(CH, ChannelRole.READ).get(30, TimeUnit.SECONDS);
        b.join("orders", ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        awaitChannels(p, B, Map.of(CH, ChannelRole.READ, "orders", ChannelRole.WRITE));
        awaitChannels(nodes.get(A), B, Map.of(CH, ChannelRole.READ, "orders", ChannelRole.WRITE));
        cluster.proxy(P, B).cutAll(); // p forgets b's lists on the reconnect, and b advertises them again
        b.leave("orders").get(30, TimeUnit.SECONDS);
        awaitChannels(p, B, Map.of(CH, ChannelRole.READ));
        b.close(); // stopped on its file: still a member when it starts again, without joining
        nodes.remove(B);
        start(B);
        p.join(CH, ChannelRole.WRITE).get(30, TimeUnit.SECONDS);
        awaitChannels(nodes.get(B), P, Map.of(CH, ChannelRole.WRITE));
        awaitChannels(p, B, Map.of(CH, ChannelRole.READ));
        assertThat(p.peers()).allSatisfy(i -> assertThat(i.handlers()).isEmpty());
    }

    private static void awaitChannels(TetherNode at, NodeId peer, Map<String, ChannelRole> expected) {
        Await.until(
                DEADLINE,
                () -> at.peers().stream()
                        .anyMatch(i -> i.id().equals(peer) && i.channels().equals(expected)),
                () -> at.id() + " sees " + peer + "'s channels as " + expected + ": " + at.peers());
    }

    private static long missed(List<TetherEvent> events) {
        return events.stream()
                .filter(e -> e instanceof TetherEvent.ChannelMessagesMissed)
                .mapToLong(e -> ((TetherEvent.ChannelMessagesMissed) e).count())
                .sum();
    }

    private static long dropped(List<TetherEvent> events, NodeId reader) {
        return events.stream()
                .filter(e -> e instanceof TetherEvent.ChannelMessagesDropped d
                        && d.reader().equals(reader))
                .mapToLong(e -> ((TetherEvent.ChannelMessagesDropped) e).count())
                .sum();
    }

    private static void publish(TetherNode p, int from, int to) throws Exception {
        List<CompletableFuture<MessageId>> fs = new ArrayList<>();
        for (int i = from; i < to; i++) fs.add(p.publish(CH, ("m" + i).getBytes(StandardCharsets.UTF_8)));
        for (CompletableFuture<MessageId> f : fs) f.get(60, TimeUnit.SECONDS);
    }

    private void awaitAll(NodeId r, int n) {
        Await.until(
                DEADLINE,
                () -> new java.util.HashSet<>(got.get(r)).size() >= n,
                () -> r + " got " + got.get(r).size() + " of " + n);
    }

    private static List<String> numbered(int from, int to) {
        List<String> l = new ArrayList<>();
        for (int i = from; i < to; i++) l.add("m" + i);
        return l;
    }

    private TetherNode start(NodeId self) {
        List<String> log = got.computeIfAbsent(self, k -> new CopyOnWriteArrayList<>());
        List<NodeId> peers = new ArrayList<>(ALL);
        peers.remove(self);
        TetherNode n = Tether.start(TetherConfig.builder(self)
                .peers(peers)
                .transport(cluster.newTransport(self))
                .store(new SqliteStore(dir.resolve(self + ".db")))
                .durability(Durability.FSYNC)
                .listener(events.computeIfAbsent(self, k -> new CopyOnWriteArrayList<>())::add)
                .retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1))
                .handler((Delivery d) -> {
                    if (d.lane().equals(LANE)) log.add(new String(d.payloadBytes(), StandardCharsets.UTF_8));
                })
                .build());
        nodes.put(self, n);
        return n;
    }
}
