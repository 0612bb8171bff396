package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.numbered;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.internal.engine.Frame;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Disconnects, restarts and wiped peers: nothing lost, nothing reordered, redeliveries flagged. */
class RecoveryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");

    @Test
    void messagesToAnOfflinePeerWaitAndArriveInOrderWhenItJoins() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            List<SendReceipt> rs = new ArrayList<>();
            for (int i = 0; i < 300; i++) rs.add(a.send(B, utf8("off" + i)));
            for (SendReceipt r : rs) r.accepted().get(10, TimeUnit.SECONDS);
            assertThat(a.stats().queued()).isEqualTo(300);
            c.start("b");
            Await.until(DEADLINE, () -> c.seen("b").size() == 300, () -> "backlog delivered");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("off", 0, 300));
        }
    }

    @Test
    void hardDisconnectMidStreamAndRejoinLosesNothing() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.handler(d -> {
                        if (d.seq() % 100 == 0) c.network.disconnect(NodeId.of("a"), B);
                        c.seen("b").add(Cluster.seen(d));
                    }));
            for (int i = 0; i < 1000; i++) a.send(B, utf8("d" + i));
            for (int round = 0;
                    round < 40 && c.firstDeliveries("b", "a", "default").size() < 1000;
                    round++) {
                c.network.connect(NodeId.of("a"), B);
                int before = c.seen("b").size();
                // A message buffered before a cut may still be handed out after the connect above, and its handler
                // cuts the link again: reconnect while waiting, or the round waits on a link nobody restores.
                Await.until(
                        DEADLINE,
                        () -> {
                            c.network.connect(NodeId.of("a"), B);
                            return c.seen("b").size() > before || c.seen("b").size() >= 1000;
                        },
                        () -> "progress");
            }
            c.network.connect(NodeId.of("a"), B);
            Await.until(DEADLINE, () -> c.firstDeliveries("b", "a", "default").size() == 1000, () -> "all delivered");
            assertThat(c.firstDeliveries("b", "a", "default")).containsExactlyElementsOf(numbered("d", 0, 1000));
            // b's deliveries do not wait for a's node thread (the window covers all 1000 messages), so a's
            // listener may hear of the disconnects only after b has delivered everything.
            Await.until(
                    DEADLINE,
                    () -> c.events("a").stream().anyMatch(e -> e instanceof TetherEvent.PeerDisconnected),
                    () -> "a to report a disconnect, events: " + c.events("a"));
        }
    }

    @Test
    void aReconnectDoesNotFlagMessagesTheReceiverNeverSaw() {
        DropFrames[] aOut = new DropFrames[1];
        try (Cluster c = new Cluster("a", "b")) {
            c.transports(id -> {
                if (!id.equals(NodeId.of("a"))) return c.network.newTransport();
                aOut[0] = new DropFrames(c.network.newTransport(), Frame.DATA);
                return aOut[0];
            });
            TetherNode a = c.start("a");
            c.start("b", cfg -> cfg.window(8));
            a.send(B, utf8("open"));
            Await.until(DEADLINE, () -> c.seen("b").size() == 1, () -> "stream open");
            aOut[0].active = true; // a window of messages goes out and is lost
            for (int i = 0; i < 20; i++) a.send(B, utf8("r" + i));
            Await.until(
                    DEADLINE, () -> aOut[0].dropped.get() >= 1 && outbound(a).sent() >= 9, () -> "sent, lost");
            c.network.disconnect(NodeId.of("a"), B);
            aOut[0].active = false;
            c.network.connect(NodeId.of("a"), B);
            Await.until(DEADLINE, () -> c.seen("b").size() == 21, () -> "resent after the reconnect");

            assertThat(c.payloads("b", "a", "default").subList(1, 21)).containsExactlyElementsOf(numbered("r", 0, 20));
            assertThat(outbound(a).sent())
                    .as("transmissions, with the resent ones")
                    .isGreaterThan(21);
            // The resent frames carry the sender's redelivery flag, but b, which never restarted, knows better.
            assertThat(c.seen("b")).noneMatch(Cluster.Seen::redelivery);
            assertThat(c.events("b")).noneMatch(e -> e instanceof TetherEvent.Redelivery);
        }
    }

    private static StreamStats outbound(TetherNode a) {
        return a.stats().stream(B, "default", StreamStats.Direction.OUTBOUND);
    }

    @Test
    void receiverRestartBeforeProcessingRedeliversFlagged() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.handler(d -> {
                        stuck.countDown();
                        // Never returns normally before the crash: the handler is interrupted by the shutdown.
                        new CountDownLatch(1).await();
                    }));
            a.send(B, utf8("first"));
            a.send(B, utf8("second"));
            assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
            c.crash("b");
            c.start("b");
            Await.until(DEADLINE, () -> c.seen("b").size() == 2, () -> "redelivery");
            assertThat(c.seen("b").get(0).payload()).isEqualTo("first");
            assertThat(c.seen("b").get(0).redelivery()).isTrue();
            assertThat(c.seen("b").get(1).payload()).isEqualTo("second");
        }
    }

    @Test
    void senderRestartWithPendingMessagesContinuesItsSequence() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            List<SendReceipt> rs = new ArrayList<>();
            for (int i = 0; i < 100; i++) rs.add(a.send(B, utf8("s" + i)));
            for (SendReceipt r : rs) r.accepted().get(10, TimeUnit.SECONDS);
            c.crash("a");
            a = c.start("a");
            assertThat(a.stats().queued()).isEqualTo(100);
            MessageId next = a.send(B, utf8("s100")).accepted().get(10, TimeUnit.SECONDS);
            assertThat(next.seq()).isEqualTo(101);
            c.start("b");
            Await.until(DEADLINE, () -> c.seen("b").size() == 101, () -> "all after sender restart");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("s", 0, 101));
            List<Long> seqs = c.seen("b").stream().map(Cluster.Seen::seq).toList();
            assertThat(seqs).doesNotHaveDuplicates().isSorted();
            // After everything was acknowledged, a restart still continues numbering (no reuse).
            TetherNode a2 = a;
            Await.until(DEADLINE, () -> a2.stats().inFlight() == 0 && a2.stats().queued() == 0, () -> "acked");
            c.crash("a");
            a = c.start("a");
            assertThat(a.send(B, utf8("s101"))
                            .accepted()
                            .get(10, TimeUnit.SECONDS)
                            .seq())
                    .isEqualTo(102);
            Await.until(DEADLINE, () -> c.seen("b").size() == 102, () -> "delivered after empty-outbox restart");
        }
    }

    @Test
    void wipedSenderIsANewIncarnationNotSwallowedAsDuplicates() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start("b");
            for (int i = 0; i < 10; i++) a.send(B, utf8("old" + i));
            Await.until(DEADLINE, () -> c.seen("b").size() == 10, () -> "first incarnation");
            c.wipe("a");
            a = c.start("a");
            for (int i = 0; i < 10; i++) a.send(B, utf8("new" + i));
            Await.until(DEADLINE, () -> c.seen("b").size() == 20, () -> "new incarnation delivered");
            assertThat(c.payloads("b", "a", "default").subList(10, 20))
                    .containsExactlyElementsOf(numbered("new", 0, 10));
            assertThat(c.seen("b").get(10).seq()).isEqualTo(1);
            assertThat(c.events("b"))
                    .anyMatch(
                            e -> e instanceof TetherEvent.Resync r && r.reason().contains("new incarnation"));
        }
    }

    @Test
    void wipedReceiverGetsEverythingNotYetProcessed() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.handler(d -> {
                        if (d.seq() > 5) hold.await();
                        c.seen("b").add(Cluster.seen(d));
                    }));
            for (int i = 0; i < 20; i++) a.send(B, utf8("w" + i));
            Await.until(DEADLINE, () -> c.seen("b").size() == 5, () -> "first five");
            Await.until(
                    DEADLINE,
                    () -> a.stats().stream(B, "default", StreamStats.Direction.OUTBOUND)
                                    .cursor()
                            == 5,
                    () -> "first five acked");
            c.wipe("b");
            c.start("b");
            Await.until(DEADLINE, () -> c.seen("b").size() == 20, () -> "rest after wipe");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("w", 0, 20));
            assertThat(c.events("a"))
                    .anyMatch(e -> e instanceof TetherEvent.Resync r && r.lane().equals("*"));
        }
    }
}
