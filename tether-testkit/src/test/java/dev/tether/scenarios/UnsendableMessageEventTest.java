package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeadLetterView;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A message stored while the frame limit was larger cannot go out after a restart with a smaller one: the sender
 * raises {@link TetherEvent.UnsendableMessage} (peer, lane, sequence number, reason) and counts it in {@code
 * NodeStats.unsendableMessages}, while the receiver dead-letters the stand-in and the stream goes on. Before, only the
 * receiver's dead-letter queue told.
 */
class UnsendableMessageEventTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void theSenderReportsAndCountsAStoredMessageOverTheFrameLimit() throws Exception {
        InMemoryStore storeA = new InMemoryStore();
        try (TetherNode a = Tether.start(node(new InMemoryNetwork(256 << 10), A, B, storeA)
                .build())) { // b is not running: both messages stay stored
            a.send(B, "orders", new byte[100_000]);
            a.send(B, "orders", "small".getBytes(StandardCharsets.UTF_8));
            Await.until(
                    WAIT,
                    () -> a.stats().queued() == 2,
                    () -> "queued " + a.stats().queued());
        }

        InMemoryNetwork smaller = new InMemoryNetwork(64 << 10);
        List<TetherEvent> events = new CopyOnWriteArrayList<>();
        List<String> atB = new CopyOnWriteArrayList<>();
        try (TetherNode b = Tether.start(node(smaller, B, A, new InMemoryStore())
                        .handler(d -> atB.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                        .build());
                TetherNode a = Tether.start(node(smaller, A, B, storeA.reopenAfterCrash())
                        .listener(events::add)
                        .build())) {
            Await.until(WAIT, () -> atB.contains("small"), () -> "b got " + atB);
            // The dead letter is stored with b's cursor, maybe after "small" was handed out; a's listener runs on a
            // thread of its own.
            Await.until(WAIT, () -> !b.deadLetters(10).isEmpty(), () -> "b has no dead letter");
            Await.until(
                    WAIT,
                    () -> events.stream().anyMatch(e -> e instanceof TetherEvent.UnsendableMessage),
                    () -> "a's events " + events);
            List<DeadLetterView> dead = b.deadLetters(10);
            assertThat(dead).singleElement().satisfies(d -> assertThat(d.seq()).isEqualTo(1));
            assertThat(events.stream().filter(e -> e instanceof TetherEvent.UnsendableMessage))
                    .singleElement()
                    .isInstanceOfSatisfying(TetherEvent.UnsendableMessage.class, e -> {
                        assertThat(e.to()).isEqualTo(B);
                        assertThat(e.lane()).isEqualTo("orders");
                        assertThat(e.seq()).isEqualTo(1);
                        assertThat(e.reason())
                                .contains("does not fit a DATA frame of")
                                .contains("(frame limit)");
                    });
            System.out.println("UnsendableMessageEventTest: "
                    + events.stream()
                            .filter(e -> e instanceof TetherEvent.UnsendableMessage)
                            .toList());
            assertThat(a.stats().unsendableMessages()).isEqualTo(1);
            assertThat(b.stats().unsendableMessages()).isZero();
        }
    }

    private static TetherConfig.Builder node(InMemoryNetwork net, NodeId id, NodeId peer, InMemoryStore store) {
        return TetherConfig.builder(id)
                .peers(peer)
                .transport(net.newTransport())
                .store(store)
                .durability(Durability.MEMORY)
                .retransmitTimeout(Duration.ofMillis(50), Duration.ofMillis(500));
    }
}
