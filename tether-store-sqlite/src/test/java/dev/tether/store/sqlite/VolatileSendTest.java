package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Delivery;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.spi.StoredMessage;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volatile plain sends ({@code OutboundMessage.Builder.volatileDelivery()}) on nodes with SQLite files at FSYNC, the
 * receiver crashed in-process ({@link NodeCrash}): nothing of them is ever written to either store; they reach the
 * receiver's handler in order, each once; one the receiver's earlier process may have handled is never sent again:
 * its {@code processed()} completes with {@link Outcome#LOST} and the sender reports {@link TetherEvent.VolatileLost}.
 */
class VolatileSendTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private VolatileNodes nodes;
    /** What the receivers' handlers were given: {@code process:lane:payload:redelivery}. */
    private final List<String> handled = new CopyOnWriteArrayList<>();
    /** The sender's events. */
    private final List<TetherEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void nodes() {
        nodes = new VolatileNodes(dir);
    }

    @AfterEach
    void close() {
        nodes.close();
    }

    private TetherNode node(NodeId self, NodeId peer, MessageHandler handler) {
        return nodes.start(self, peer, b -> {
            if (handler != null) b.handler(handler);
            return self.equals(A) ? b.listener(events::add) : b;
        });
    }

    private MessageHandler recording(String process) {
        return d -> handled.add(process + ":" + d.lane() + ":" + text(d) + ":" + d.isRedelivery());
    }

    private static String text(Delivery d) {
        return new String(d.payloadBytes(), StandardCharsets.UTF_8);
    }

    private static OutboundMessage volatileMessage(String lane, String payload) {
        return OutboundMessage.to(B)
                .lane(lane)
                .volatileDelivery()
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    @Test
    void volatileSendsArriveInOrderOnceAndNeitherNodeStoresAnyOfThem() throws Exception {
        TetherNode a = node(A, B, null);
        node(B, A, recording("b"));
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < 300; i++) receipts.add(a.send(volatileMessage("prices", "m" + i)));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            assertThat(receipts.get(i).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(receipts.get(i).accepted().get().seq()).isEqualTo(i + 1);
            assertThat(receipts.get(i).accepted().get().lane()).isEqualTo("_v.prices");
            expected.add("b:_v.prices:m" + i + ":false");
        }
        assertThat(handled).containsExactlyElementsOf(expected);
        // A durable message on the same application lane is a stream of its own, stored as usual.
        a.send(OutboundMessage.to(B).lane("prices").payload(new byte[] {1}).build())
                .processed()
                .get(30, TimeUnit.SECONDS);
        assertThat(nodes.committed())
                .anySatisfy(w ->
                        assertThat(w.appends()).extracting(StoredMessage::lane).contains("prices"));
        assertThat(a.stats().streams()).anySatisfy(s -> assertThat(s.lane()).isEqualTo("_v.prices"));
        nodes.assertNothingVolatileStored();
    }

    @Test
    void aSendTheReceiversEarlierProcessMayHaveHandledIsLostNeverSentAgainAndReported() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        TetherNode a = node(A, B, null);
        TetherNode b = node(B, A, d -> {
            handled.add("first:" + text(d));
            entered.countDown();
            never.await(); // interrupted when the crash stops the handler threads
        });
        SendReceipt lost = a.send(volatileMessage("jobs", "x"));
        SendReceipt behind = a.send(volatileMessage("jobs", "y")); // transmitted, waiting behind x at b
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        Await.until(
                WAIT,
                () -> b.stats().streams().stream().anyMatch(s -> s.lane().equals("_v.jobs") && s.lastSeq() >= 2),
                () -> "y received by b: " + b.stats().streams());

        NodeCrash.crash(b);
        nodes.crashed(b);
        node(B, A, recording("second"));

        assertThat(lost.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.LOST);
        // y reached the earlier process too: it may have been taken, so it is lost as well.
        assertThat(behind.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.LOST);
        Await.until(
                WAIT,
                () -> events.stream().anyMatch(e -> e instanceof TetherEvent.VolatileLost v && v.toSeq() == 2),
                () -> "VolatileLost reported: " + events);
        TetherEvent.VolatileLost v = (TetherEvent.VolatileLost) events.stream()
                .filter(e -> e instanceof TetherEvent.VolatileLost)
                .findFirst()
                .orElseThrow();
        assertThat(v.to()).isEqualTo(B);
        assertThat(v.lane()).isEqualTo("_v.jobs");
        assertThat(v.fromSeq()).isEqualTo(1);
        // The stream goes on with the new process; the lost messages never reach it.
        assertThat(a.send(volatileMessage("jobs", "z")).processed().get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(handled).containsExactly("first:x", "second:_v.jobs:z:false");
        nodes.assertNothingVolatileStored();
    }

    @Test
    void aVolatileLaneHasAtMost61CharactersAndTheFlagSurvivesTheBuilder() {
        String l61 = "l".repeat(61);
        OutboundMessage m = OutboundMessage.to(B).lane(l61).volatileDelivery().build();
        assertThat(m.isVolatile()).isTrue();
        assertThat(m.lane()).isEqualTo(l61);
        assertThat(m.wireLane()).isEqualTo("_v." + l61);
        assertThat(OutboundMessage.to(B).lane("x").build().wireLane()).isEqualTo("x");
        assertThatThrownBy(() -> OutboundMessage.to(B).lane(l61 + "x").volatileDelivery())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 61");
        assertThatThrownBy(() -> OutboundMessage.to(B).volatileDelivery().lane(l61 + "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 61");
    }
}
