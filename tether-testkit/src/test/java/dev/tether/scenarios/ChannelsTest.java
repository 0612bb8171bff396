package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.numbered;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelJoinTimeoutException;
import dev.tether.ChannelRole;
import dev.tether.ChannelRoleException;
import dev.tether.ChannelStart;
import dev.tether.Channels;
import dev.tether.InvalidIdException;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Channels through {@link TetherNode}'s API on real in-memory nodes: a join completes once every known peer took care
 * of it, so what is published after it is delivered; several readers each get every publish in order; a reader that
 * is down gets what was published meanwhile; a WRITE-only member receives nothing; a publish without a role that
 * writes fails; channel handlers take their channel's messages.
 */
class ChannelsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);

    private static void join(TetherNode n, ChannelRole role) throws Exception {
        n.join(CH, role).get(10, TimeUnit.SECONDS);
    }

    private static void publish(TetherNode n, String prefix, int from, int to) throws Exception {
        List<CompletableFuture<MessageId>> fs = new ArrayList<>();
        for (int i = from; i < to; i++) fs.add(n.publish(CH, utf8(prefix + i)));
        for (CompletableFuture<MessageId> f : fs) f.get(10, TimeUnit.SECONDS);
    }

    private static void await(Cluster c, String reader, List<String> expected) {
        Await.until(
                DEADLINE,
                () -> c.payloads(reader, "p", LANE).size() >= expected.size(),
                () -> reader + " got " + c.payloads(reader, "p", LANE));
        assertThat(c.payloads(reader, "p", LANE)).as(reader).containsExactlyElementsOf(expected);
    }

    @Test
    void publishedAfterTheJoinCompletedReachesEveryReaderInOrderOnce() throws Exception {
        try (Cluster c = new Cluster("p", "a", "b", "c")) {
            TetherNode p = c.start("p");
            List<TetherNode> readers = List.of(c.start("a"), c.start("b"), c.start("c"));
            join(p, ChannelRole.WRITE);
            for (TetherNode r : readers) join(r, ChannelRole.READ);
            publish(p, "m", 0, 100);
            for (String r : List.of("a", "b", "c")) await(c, r, numbered("m", 0, 100));
        }
    }

    @Test
    void aReaderThatIsDownGetsWhatWasPublishedWhileItWasAway() throws Exception {
        try (Cluster c = new Cluster("p", "a", "b")) {
            TetherNode p = c.start("p");
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            join(p, ChannelRole.WRITE); // every known peer must be up to take care of a join
            join(a, ChannelRole.READ);
            join(b, ChannelRole.READ);
            publish(p, "m", 0, 10);
            await(c, "b", numbered("m", 0, 10));
            c.crash("b");
            publish(p, "m", 10, 300);
            await(c, "a", numbered("m", 0, 300));
            c.start("b");
            await(c, "b", numbered("m", 0, 300));
        }
    }

    @Test
    void aJoinCompletesOnlyOnceEveryKnownPeerTookCareOfItAlsoOneThatWasDown() throws Exception {
        try (Cluster c = new Cluster("p", "a")) {
            TetherNode a = c.start("a");
            CompletableFuture<Void> joined = a.join(CH, ChannelRole.READ);
            assertThat(joined).isNotDone(); // p is down: the join waits in a's outbox
            TetherNode p = c.start("p");
            joined.get(10, TimeUnit.SECONDS);
            join(p, ChannelRole.WRITE);
            publish(p, "m", 0, 5);
            await(c, "a", numbered("m", 0, 5));
        }
    }

    @Test
    void aWriteOnlyMemberReceivesNothingAndAReadOnlyOneCannotPublish() throws Exception {
        try (Cluster c = new Cluster("p", "a", "w")) {
            TetherNode p = c.start("p");
            TetherNode a = c.start("a");
            TetherNode w = c.start("w");
            join(p, ChannelRole.READ_WRITE);
            join(a, ChannelRole.READ);
            join(w, ChannelRole.WRITE);
            publish(p, "m", 0, 20);
            publish(w, "w", 0, 5);
            await(c, "a", numbered("m", 0, 20));
            Await.until(DEADLINE, () -> c.payloads("p", "w", LANE).size() == 5, () -> "p reads w's messages");
            Await.until(DEADLINE, () -> c.payloads("a", "w", LANE).size() == 5, () -> "a reads w's messages");
            assertThat(c.payloads("w", "p", LANE)).isEmpty();
            assertThatThrownBy(() -> a.publish(CH, utf8("x")))
                    .isInstanceOf(ChannelRoleException.class)
                    .hasMessageContaining("READ");
            assertThatThrownBy(() -> a.publish("other", utf8("x")))
                    .isInstanceOf(ChannelRoleException.class)
                    .hasMessageContaining("did not join");
            assertThatThrownBy(() -> a.join("bad name", ChannelRole.READ)).isInstanceOf(InvalidIdException.class);
            assertThatThrownBy(() -> a.join("_all", ChannelRole.READ)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aLeftReaderGetsNothingPublishedAfterItsLeaveCompleted() throws Exception {
        try (Cluster c = new Cluster("p", "a", "b")) {
            TetherNode p = c.start("p");
            TetherNode a = c.start("a");
            c.start("b");
            join(p, ChannelRole.WRITE);
            join(a, ChannelRole.READ);
            join(c.node("b"), ChannelRole.READ);
            publish(p, "m", 0, 5);
            await(c, "a", numbered("m", 0, 5));
            a.leave(CH).get(10, TimeUnit.SECONDS);
            publish(p, "m", 5, 10);
            await(c, "b", numbered("m", 0, 10));
            assertThat(c.payloads("a", "p", LANE)).containsExactlyElementsOf(numbered("m", 0, 5));
        }
    }

    @Test
    void aChannelHandlerTakesItsChannelsMessages() throws Exception {
        try (Cluster c = new Cluster("p", "a")) {
            TetherNode p = c.start("p");
            TetherNode a = c.start("a");
            List<String> got = new CopyOnWriteArrayList<>();
            a.handleChannel(CH, d -> got.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
            join(p, ChannelRole.WRITE);
            join(a, ChannelRole.READ);
            publish(p, "m", 0, 30);
            Await.until(DEADLINE, () -> got.size() >= 30, () -> "channel handler got " + got);
            assertThat(got).containsExactlyElementsOf(numbered("m", 0, 30));
            assertThat(c.payloads("a", "p", LANE)).isEmpty(); // not the node's handler
        }
    }

    @Test
    void aRestartedNodeIsStillAMemberWithItsRoleAndNeedNotJoinAgain() throws Exception {
        try (Cluster c = new Cluster("p", "a")) {
            c.start("p");
            c.start("a");
            join(c.node("p"), ChannelRole.WRITE);
            join(c.node("a"), ChannelRole.READ);
            publish(c.node("p"), "m", 0, 5);
            await(c, "a", numbered("m", 0, 5));
            c.crash("p");
            c.crash("a");
            TetherNode p = c.start("p");
            TetherNode a = c.start("a");
            publish(p, "m", 5, 10); // no join: the stored membership holds
            await(c, "a", numbered("m", 0, 10));
            assertThatThrownBy(() -> a.publish(CH, utf8("x")))
                    .isInstanceOf(ChannelRoleException.class)
                    .hasMessageContaining("joined it READ");
            a.leave(CH).get(10, TimeUnit.SECONDS);
            c.crash("a");
            assertThatThrownBy(() -> c.start("a").publish(CH, utf8("x")))
                    .isInstanceOf(ChannelRoleException.class)
                    .hasMessageContaining("did not join");
        }
    }

    @Test
    void aPeerThatConnectsAfterAJoinLearnsOfIt() throws Exception {
        try (Cluster c = new Cluster("p", "a")) {
            TetherNode a = c.startUnconfigured("a", b -> {}); // knows no peer: its join completes at once
            join(a, ChannelRole.READ);
            TetherNode p = c.start("p"); // connects to a, which tells it of its membership
            join(p, ChannelRole.WRITE);
            List<String> published = new ArrayList<>();
            Await.until(
                    DEADLINE,
                    () -> {
                        String m = "m" + published.size();
                        p.publish(CH, utf8(m)).join();
                        published.add(m);
                        return !c.payloads("a", "p", LANE).isEmpty();
                    },
                    () -> "a got nothing of " + published.size() + " publishes " + c.events("a"));
            publish(p, "n", 0, 5);
            Await.until(
                    DEADLINE,
                    () -> c.payloads("a", "p", LANE).contains("n4"),
                    () -> "a got " + c.payloads("a", "p", LANE));
            List<String> all = c.payloads("a", "p", LANE);
            List<String> expected = new ArrayList<>(published.subList(published.indexOf(all.get(0)), published.size()));
            expected.addAll(numbered("n", 0, 5));
            assertThat(all).containsExactlyElementsOf(expected); // from its join on: every one, in order, once
        }
    }

    @Test
    void aNewReaderStartsWhereItsJoinSaysInWhatTheLogStillHolds() throws Exception {
        try (Cluster c = new Cluster("p", "slow", "e", "s", "t", "n")) {
            TetherNode p = c.start("p");
            for (String r : List.of("slow", "e", "s", "t", "n")) c.start(r);
            CountDownLatch release = new CountDownLatch(1);
            c.node("slow")
                    .handleChannel(
                            CH,
                            d -> { // holds m5 until the end: its cursor holds the log from m5 on
                                if (new String(d.payloadBytes(), StandardCharsets.UTF_8).equals("m5")) release.await();
                            });
            join(p, ChannelRole.WRITE);
            join(c.node("slow"), ChannelRole.READ);
            publish(p, "m", 0, 15);
            long t = System.currentTimeMillis() + 1;
            Await.until(DEADLINE, () -> System.currentTimeMillis() > t, () -> "the clock moves on");
            publish(p, "m", 15, 20); // published at or after t
            c.node("e").join(CH, ChannelRole.READ, ChannelStart.earliest()).get(10, TimeUnit.SECONDS);
            c.node("s")
                    .join(CH, ChannelRole.READ, ChannelStart.fromSequence(13))
                    .get(10, TimeUnit.SECONDS);
            c.node("t")
                    .join(CH, ChannelRole.READ, ChannelStart.fromTime(Instant.ofEpochMilli(t)))
                    .get(10, TimeUnit.SECONDS);
            join(c.node("n"), ChannelRole.READ); // now
            publish(p, "m", 20, 22);
            Await.until(DEADLINE, () -> c.payloads("e", "p", LANE).contains("m21"), () -> "e got its start");
            List<String> earliest = c.payloads("e", "p", LANE);
            int first = Integer.parseInt(earliest.get(0).substring(1));
            assertThat(first).as("m0-m4 may be trimmed (slow had them), m5 not").isLessThanOrEqualTo(5);
            assertThat(earliest).containsExactlyElementsOf(numbered("m", first, 22));
            await(c, "s", numbered("m", 12, 22)); // sequence 13 is m12
            await(c, "t", numbered("m", 15, 22));
            await(c, "n", numbered("m", 20, 22));
            release.countDown();
            assertThatThrownBy(() -> ChannelStart.fromSequence(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aJoinThatAPeerDoesNotTakeInTimeFailsAndStillReachesItWhenItReturns() throws Exception {
        try (Cluster c = new Cluster("p", "a")) {
            // The join's own timeout, not the calls' (which would hold the join far beyond the 10 s wait below).
            TetherNode a = c.start(
                    "a", b -> b.defaultCallTimeout(Duration.ofMinutes(10)).channelJoinTimeout(Duration.ofMillis(300)));
            CompletableFuture<Void> joined = a.join(CH, ChannelRole.READ);
            assertThatThrownBy(() -> joined.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ChannelJoinTimeoutException.class)
                    .hasMessageContaining("[p]");
            TetherNode p = c.start("p");
            join(p, ChannelRole.WRITE);
            Await.until(
                    DEADLINE,
                    () -> {
                        p.publish(CH, utf8("probe")).join();
                        return !c.payloads("a", "p", LANE).isEmpty();
                    },
                    () -> "a's join reached p");
        }
    }

    @Test
    void aBroadcastReachesEveryKnownPeerWithoutAJoinAlsoOneThatWasDownAndNotARemovedOne() throws Exception {
        try (Cluster c = new Cluster("p", "a", "b", "r")) {
            TetherNode p = c.start("p");
            TetherNode a = c.start("a");
            c.start("b");
            c.start("r");
            List<String> atA = new CopyOnWriteArrayList<>();
            a.handleChannel(Channels.BROADCAST, d -> atA.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
            broadcast(p, 0, 10);
            c.crash("b");
            broadcast(p, 10, 20);
            p.removePeer(NodeId.of("r"));
            broadcast(p, 20, 30);
            c.start("b");
            String all = Channels.lane(Channels.BROADCAST);
            Await.until(DEADLINE, () -> atA.size() >= 30, () -> "a's broadcast handler got " + atA);
            assertThat(atA).containsExactlyElementsOf(numbered("m", 0, 30));
            Await.until(
                    DEADLINE,
                    () -> c.firstDeliveries("b", "p", all).size() >= 30,
                    () -> "b got " + c.payloads("b", "p", all));
            // b was killed after the first broadcasts: one it had processed and not yet acknowledged comes again after
            // its restart (the at-least-once window), flagged; every broadcast reaches it, in order
            assertThat(c.firstDeliveries("b", "p", all)).containsExactlyElementsOf(numbered("m", 0, 30));
            Set<Long> seqs = new HashSet<>();
            for (Cluster.Seen x : c.seen("b")) {
                if (x.lane().equals(all) && !seqs.add(x.seq())) {
                    assertThat(x.redelivery())
                            .as("a repeated delivery is flagged: " + x)
                            .isTrue();
                }
            }
            assertThat(c.payloads("a", "p", all)).isEmpty(); // its broadcast handler took them
            Await.until(
                    DEADLINE,
                    () -> c.store("p").readChannels().logs().stream()
                            .filter(l -> l.channel().equals(Channels.BROADCAST))
                            .allMatch(l -> l.readers().stream()
                                    .noneMatch(x -> x.reader().value().equals("r"))),
                    () -> "the removed peer is no reader of p's broadcast log");
            assertThat(c.payloads("r", "p", all)).isSubsetOf(numbered("m", 0, 20));
        }
    }

    private static void broadcast(TetherNode n, int from, int to) throws Exception {
        List<CompletableFuture<MessageId>> fs = new ArrayList<>();
        for (int i = from; i < to; i++) fs.add(n.broadcast(utf8("m" + i)));
        for (CompletableFuture<MessageId> f : fs) f.get(10, TimeUnit.SECONDS);
    }

    /**
     * A join from {@link ChannelStart#earliest()} replays the log from its first message: with a reader holding the
     * first message nothing is trimmed, so the new reader gets every message from m0 (audit8a M65: starting after
     * sequence 1 survived, as the other replay tests allow the first messages to be trimmed).
     */
    @Test
    void aJoinFromTheEarliestGetsTheLogFromItsFirstMessage() throws Exception {
        try (Cluster c = new Cluster("p", "b", "e")) {
            TetherNode p = c.start("p");
            c.start("b");
            c.start("e");
            join(p, ChannelRole.WRITE);
            CountDownLatch release = new CountDownLatch(1);
            c.node("b").handleChannel(CH, d -> release.await()); // holds m0: its cursor keeps the whole log
            join(c.node("b"), ChannelRole.READ);
            publish(p, "m", 0, 5);
            c.node("e").join(CH, ChannelRole.READ, ChannelStart.earliest()).get(10, TimeUnit.SECONDS);
            await(c, "e", List.of("m0", "m1", "m2", "m3", "m4"));
            release.countDown();
        }
    }
}
