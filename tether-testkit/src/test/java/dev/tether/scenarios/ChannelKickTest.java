package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelAccessDeniedException;
import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.management.KickResult;
import dev.tether.management.NodeManagement;
import dev.tether.management.SubscriberStatus;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kicking a node from a channel (issue 10 item 5): every publisher stops serving it, its pending copies are dropped and
 * counted, it is told, its joins are refused until it is re-admitted, and all of it outlives restarts.
 */
class ChannelKickTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId W = NodeId.of("w");
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);

    @Test
    void aKickedReaderGetsNothingFromAnyPublisherAndMayJoinOnlyOnceReadmitted() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            TetherNode cn = c.start("c");
            b.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            a.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            cn.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            a.publish(CH, utf8("a1")).get(10, TimeUnit.SECONDS);
            cn.publish(CH, utf8("c1")).get(10, TimeUnit.SECONDS);
            Await.until(
                    DEADLINE,
                    () -> c.payloads("b", "a", LANE).size() == 1
                            && c.payloads("b", "c", LANE).size() == 1,
                    () -> "b to get a1 and c1: " + c.seen("b"));
            awaitAcknowledgedByB(a); // else a1 is still pending at a when b goes, and the kick drops it too

            c.crash("b");
            a.publish(CH, utf8("a2")).get(10, TimeUnit.SECONDS);
            a.publish(CH, utf8("a3")).get(10, TimeUnit.SECONDS);
            KickResult kicked = Tether.management(a).kick(B, CH);
            assertThat(kicked).isEqualTo(new KickResult(CH, B, true, 2, List.of(C)));
            assertThat(Tether.management(a).subscribers(CH)).isEmpty();
            assertThat(kicked(a)).containsExactly(B);
            Await.until(
                    DEADLINE,
                    () -> hasEvent(c, "c", new TetherEvent.ChannelMemberKicked(CH, B, A, 0)),
                    () -> "c to take the kick: " + c.events("c"));
            assertThat(Tether.management(cn).subscribers(CH)).isEmpty();

            TetherNode restarted = c.start("b"); // its stored membership is told again on connect, and refused
            Await.until(
                    DEADLINE,
                    () -> hasEvent(c, "b", new TetherEvent.ChannelKicked(CH, A)),
                    () -> "b to be told it was kicked: " + c.events("b"));
            assertThat(Tether.management(restarted).channels()).isEmpty();
            assertThatThrownBy(() -> restarted.join(CH, ChannelRole.READ).join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(ChannelAccessDeniedException.class)
                    .hasMessageContaining("kicked from channel 'news' by a");
            assertThatThrownBy(() -> restarted.publish(CH, utf8("no")))
                    .isInstanceOf(ChannelAccessDeniedException.class);
            a.publish(CH, utf8("a4")).get(10, TimeUnit.SECONDS);
            cn.publish(CH, utf8("c2")).get(10, TimeUnit.SECONDS);

            assertThat(Tether.management(cn).readmit(B, CH)).containsExactly(A);
            assertThat(kicked(cn)).isEmpty();
            Await.until(DEADLINE, () -> joins(restarted), () -> "b to be re-admitted: " + c.events("b"));
            a.publish(CH, utf8("a5")).get(10, TimeUnit.SECONDS);
            cn.publish(CH, utf8("c3")).get(10, TimeUnit.SECONDS);
            Await.until(
                    DEADLINE,
                    () -> c.payloads("b", "a", LANE).contains("a5")
                            && c.payloads("b", "c", LANE).contains("c3"),
                    () -> "b to get a5 and c3: " + c.seen("b"));
            assertThat(c.firstDeliveries("b", "a", LANE)).containsExactly("a1", "a5");
            assertThat(c.firstDeliveries("b", "c", LANE)).containsExactly("c1", "c3");
        }
    }

    @Test
    void bansOutliveRestartsAndAJoinOfANodeThatForgotItsKickIsRefused() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            b.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            a.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            Tether.management(a).kick(B, CH);
            Await.until(
                    DEADLINE,
                    () -> hasEvent(c, "b", new TetherEvent.ChannelKicked(CH, A)),
                    () -> "b to be told: " + c.events("b"));

            c.crash("a");
            c.wipe("b"); // a new store: b no longer knows it was kicked
            a = c.start("a");
            b = c.start("b");
            b.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS); // taken by a, but as no reader
            Await.until(
                    DEADLINE,
                    () -> hasEvent(c, "a", new TetherEvent.ChannelJoinRefused(CH, B, "kicked by a")),
                    () -> "a to refuse b's join: " + c.events("a"));
            // The cluster keeps a node's events across its restarts: the first incarnation's event is one of them.
            Await.until(
                    DEADLINE,
                    () -> c.events("b").stream()
                                    .filter(new TetherEvent.ChannelKicked(CH, A)::equals)
                                    .count()
                            >= 2,
                    () -> "b to be told again: " + c.events("b"));
            a.publish(CH, utf8("after")).get(10, TimeUnit.SECONDS);
            NodeManagement m = Tether.management(a);
            assertThat(m.subscribers(CH)).extracting(SubscriberStatus::reader).doesNotContain(B);
            assertThat(c.payloads("b", "a", LANE)).isEmpty();
            TetherNode told = b;
            assertThatThrownBy(() -> told.join(CH, ChannelRole.WRITE).join())
                    .hasCauseInstanceOf(ChannelAccessDeniedException.class);
        }
    }

    @Test
    void aReaderDropsWhatAKickedPublisherSentBeforeItLearntOfTheKick() throws Exception {
        try (Cluster c = new Cluster("a", "w")) {
            TetherNode a = c.start("a");
            TetherNode w = c.start("w");
            a.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            w.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            w.publish(CH, utf8("w1")).get(10, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> c.payloads("a", "w", LANE).contains("w1"), () -> "a to get w1");

            c.network.disconnect(A, W);
            w.publish(CH, utf8("w2")).get(10, TimeUnit.SECONDS); // stored at w, not yet at a
            Tether.management(a).kick(W, CH); // the ban is stored at a before w2 can arrive
            c.network.connect(A, W);
            Await.until(
                    DEADLINE,
                    () -> c.events("a").contains(new TetherEvent.ChannelMessageRefused(CH, W, 2)),
                    () -> "a to drop w2: " + c.events("a"));
            Await.until(DEADLINE, () -> hasEvent(c, "w", new TetherEvent.ChannelKicked(CH, A)), () -> "w told");
            assertThat(c.payloads("a", "w", LANE)).containsExactly("w1");
            assertThatThrownBy(() -> w.publish(CH, utf8("w3"))).isInstanceOf(ChannelAccessDeniedException.class);
        }
    }

    @Test
    void badKicksAreRefusedAndChangeNothing() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            NodeManagement m = Tether.management(a);
            assertThatThrownBy(() -> m.kick(A, CH))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot kick itself");
            assertThatThrownBy(() -> m.kick(B, "no spaces")).isInstanceOf(InvalidIdException.class);
            assertThatThrownBy(() -> m.kick(B, Channels.BROADCAST)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.readmit(A, CH)).isInstanceOf(IllegalArgumentException.class);
            assertThat(m.kick(B, CH)).isEqualTo(new KickResult(CH, B, false, 0, List.of()));
        }
    }

    /** The nodes {@code n} holds banned from any channel, as management shows them. */
    private static List<NodeId> kicked(TetherNode n) {
        return Tether.management(n).channels().stream()
                .flatMap(s -> s.kicked().stream())
                .toList();
    }

    /** Waits until {@code publisher} sees b acknowledge its one message on the channel. */
    private static void awaitAcknowledgedByB(TetherNode publisher) {
        Await.until(
                DEADLINE,
                () -> Tether.management(publisher).subscribers(CH).stream()
                        .anyMatch(s -> s.reader().equals(B) && s.cursor() == 1 && s.backlog() == 0),
                () -> "b's acknowledgement: " + Tether.management(publisher).subscribers(CH));
    }

    private static boolean hasEvent(Cluster c, String node, TetherEvent e) {
        return c.events(node).contains(e);
    }

    /** Tries a join: true once it is accepted (a kicked node's join fails at once). */
    private static boolean joins(TetherNode n) {
        try {
            n.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            if (e.getCause() instanceof ChannelAccessDeniedException) return false;
            throw new AssertionError("join failed otherwise", e);
        }
    }
}
