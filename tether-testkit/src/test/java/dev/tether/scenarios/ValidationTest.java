package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.InvalidConfigException;
import dev.tether.InvalidIdException;
import dev.tether.MessageTooLargeException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.spi.Transport;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bad calls fail at once with a specific exception; nothing is lost and the node keeps working. */
class ValidationTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void rejectsUnknownAndMalformedDestinations() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a"); // a send to itself is accepted: LoopbackTest
            assertThatThrownBy(() -> a.send(NodeId.of("zed"), utf8("x")))
                    .isInstanceOf(UnknownPeerException.class)
                    .hasMessageContaining("unknown peer zed");
            assertThatThrownBy(() -> NodeId.of("bad id!"))
                    .isInstanceOf(InvalidIdException.class)
                    .hasMessageContaining("invalid node id 'bad id!'");
            assertThatThrownBy(() -> NodeId.of("")).isInstanceOf(InvalidIdException.class);
            assertThatThrownBy(() -> NodeId.of("x".repeat(65))).isInstanceOf(InvalidIdException.class);
            assertThatThrownBy(() -> a.send(NodeId.of("b"), "no spaces", utf8("x")))
                    .isInstanceOf(InvalidIdException.class)
                    .hasMessageContaining("invalid lane");
            assertThatThrownBy(() -> a.send(NodeId.of("b"), null)).isInstanceOf(NullPointerException.class);
            c.start("b");
            a.send(NodeId.of("b"), utf8("still works"));
            Await.until(DEADLINE, () -> c.seen("b").size() == 1, () -> "delivery after rejected calls");
        }
    }

    @Test
    void garbageFramesAreCountedAndReportedAndTheNodeKeepsServing() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            // An impostor speaks for b on the wire: random bytes, a wrong magic, a truncated DATA frame.
            Transport raw = c.network.newTransport();
            raw.start(NodeId.of("b"), new Transport.Listener() {
                @Override
                public void onPeerUp(NodeId peer) {}

                @Override
                public void onPeerDown(NodeId peer) {}

                @Override
                public void onFrame(NodeId from, ByteBuffer frame) {}
            });
            Await.until(
                    DEADLINE,
                    () -> c.events("a").contains(new TetherEvent.PeerConnected(NodeId.of("b"))),
                    () -> "impostor up");
            Random rnd = new Random(7);
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[rnd.nextInt(64)];
                rnd.nextBytes(junk);
                raw.send(NodeId.of("a"), ByteBuffer.wrap(junk));
            }
            raw.send(NodeId.of("a"), ByteBuffer.wrap(new byte[] {0x54, 4, 3, 1, 'x'}));
            Await.until(DEADLINE, () -> a.stats().protocolErrors() >= 201, () -> "errors counted: " + a.stats());
            // Events are rate-limited: the last error is reported once the rate allows, summing up the rest.
            Await.until(
                    DEADLINE,
                    () -> c.events("a").stream()
                            .anyMatch(e -> e instanceof TetherEvent.ProtocolError p
                                    && p.peer().equals(NodeId.of("b"))
                                    && p.reason().contains("truncated")),
                    () -> "the truncated frame reported, events: " + c.events("a"));
            long reported = c.events("a").stream()
                    .filter(e -> e instanceof TetherEvent.ProtocolError)
                    .mapToLong(e -> 1 + ((TetherEvent.ProtocolError) e).suppressed())
                    .sum();
            assertThat(reported)
                    .as("events plus suppressed")
                    .isEqualTo(a.stats().protocolErrors());
            assertThat(c.events("a").stream().filter(e -> e instanceof TetherEvent.ProtocolError))
                    .as("rate-limited")
                    .hasSizeLessThan(20);
            raw.close();
            c.start("b");
            a.send(NodeId.of("b"), utf8("after the storm"));
            Await.until(DEADLINE, () -> c.seen("b").size() == 1, () -> "delivery after garbage");
            assertThat(a.stats().streams(NodeId.of("b"))).hasSize(1);
        }
    }

    @Test
    void framesBeyondTheInboundBoundAreShedNotBuffered() throws InterruptedException {
        try (Cluster c = new Cluster("a", "b")) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch busy = new CountDownLatch(1);
            // The listener runs on the node thread: blocking it makes the node fall behind its transport.
            TappedTransport tap = new TappedTransport(c.network.newTransport());
            TetherNode a = c.start(
                    "a",
                    b -> b.transport(tap).maxInboundQueueBytes(64 << 10).listener(e -> {
                        if (e instanceof TetherEvent.PeerConnected) {
                            blocked.countDown();
                            awaitQuietly(busy);
                        }
                    }));
            Transport raw = c.network.newTransport();
            raw.start(NodeId.of("b"), new Transport.Listener() {
                @Override
                public void onPeerUp(NodeId peer) {}

                @Override
                public void onPeerDown(NodeId peer) {}

                @Override
                public void onFrame(NodeId from, ByteBuffer frame) {}
            });
            assertThat(blocked.await(30, TimeUnit.SECONDS))
                    .as("node thread blocked")
                    .isTrue();
            byte[] junk = new byte[1024];
            for (int i = 0; i < 1000; i++) raw.send(NodeId.of("a"), ByteBuffer.wrap(junk));
            // Release the node only once the transport has handed it every frame.
            Await.until(DEADLINE, () -> tap.framesIn() == 1000, () -> "frames handed over: " + tap.framesIn());
            busy.countDown();
            // Exactly the bound (64 frames of 1 KiB) was queued; everything else was shed on arrival.
            Await.until(
                    DEADLINE,
                    () -> a.stats().protocolErrors() + a.stats().inboundFramesShed() == 1000,
                    () -> "every frame handled or shed: " + a.stats());
            assertThat(a.stats().protocolErrors()).isEqualTo(64);
            assertThat(a.stats().inboundFramesShed()).isEqualTo(936);
            raw.close();
            c.start("b");
            a.send(NodeId.of("b"), utf8("after the flood"));
            Await.until(DEADLINE, () -> c.seen("b").size() == 1, () -> "delivery after the flood");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void connectionsTheTransportRejectsAreCountedAndReported() {
        try (Cluster c = new Cluster("a", "b")) {
            TappedTransport tap = new TappedTransport(c.network.newTransport());
            TetherNode a = c.start("a", b -> b.transport(tap));
            tap.node().onConnectionRejected("127.0.0.1:40123", "certificate does not prove node id b");
            Await.until(DEADLINE, () -> a.stats().connectionsRejected() == 1, () -> "rejection counted");
            assertThat(c.events("a"))
                    .contains(new TetherEvent.ConnectionRejected(
                            "127.0.0.1:40123", "certificate does not prove node id b"));
            c.start("b");
            a.send(NodeId.of("b"), utf8("still serving"));
            Await.until(DEADLINE, () -> c.seen("b").size() == 1, () -> "delivery after a rejection");
        }
    }

    @Test
    void sendsWaitingForASlowStoreAreBoundedAndTheExcessRejectedAtOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b")) {
            InMemoryStore inner = c.store("a");
            Store slow = new ForwardingStore(inner) {
                @Override
                public void commit(WriteBatch batch) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StoreException("interrupted");
                    }
                    inner.commit(batch);
                }
            };
            TetherNode a = c.start("a", cfg -> cfg.store(slow).maxPendingSendBytes(1000));
            List<SendReceipt> ok = new ArrayList<>();
            for (int i = 0; i < 5; i++) ok.add(a.send(NodeId.of("b"), new byte[200]));
            assertThatThrownBy(() -> a.send(NodeId.of("b"), new byte[200]))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("maxPendingSendBytes");
            gate.countDown();
            for (SendReceipt r : ok) r.accepted().get(10, TimeUnit.SECONDS);
            a.send(NodeId.of("b"), new byte[200]).accepted().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void emptyAndMaximumSizePayloadsArriveAndOversizeIsRejected() {
        int max = 64 * 1024;
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", b -> b.maxMessageBytes(max));
            c.start("b", b -> b.maxMessageBytes(max));
            byte[] big = new byte[max];
            Arrays.fill(big, (byte) 'z');
            a.send(NodeId.of("b"), new byte[0]);
            a.send(NodeId.of("b"), big);
            assertThatThrownBy(() -> a.send(NodeId.of("b"), new byte[max + 1]))
                    .isInstanceOf(MessageTooLargeException.class)
                    .hasMessageContaining("exceeds maxMessageBytes " + max);
            assertThatThrownBy(() -> a.send(OutboundMessage.to(NodeId.of("b"))
                            .header("h", "v")
                            .payload(new byte[max])
                            .build()))
                    .isInstanceOf(MessageTooLargeException.class);
            Await.until(DEADLINE, () -> c.seen("b").size() == 2, () -> "both payloads");
            assertThat(c.seen("b").get(0).payload()).isEmpty();
            assertThat(c.seen("b").get(1).payload()).hasSize(max);
        }
    }

    @Test
    void sendAndReceiveAfterShutdownAreRejected() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            a.shutdown(Duration.ofSeconds(1));
            assertThatThrownBy(() -> a.send(NodeId.of("b"), utf8("late")))
                    .isInstanceOf(NodeClosedException.class)
                    .hasMessageContaining("shut down");
        }
    }

    @Test
    void configurationIsValidated() {
        InMemoryStore store = new InMemoryStore();
        try (Cluster c = new Cluster("a", "b")) {
            TetherConfig.Builder b = TetherConfig.builder(NodeId.of("a"))
                    .transport(c.network.newTransport())
                    .store(store);
            assertThatThrownBy(b::build)
                    .isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("durability FSYNC is stronger than the store");
            assertThatThrownBy(() -> b.window(0)).isInstanceOf(InvalidConfigException.class);
            assertThatThrownBy(() -> b.peer(NodeId.of("a")))
                    .isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("own peer");
            assertThatThrownBy(() ->
                            TetherConfig.builder(NodeId.of("a")).store(store).build())
                    .hasMessageContaining("transport is required");
            assertThat(b.durability(Durability.MEMORY).build().window()).isEqualTo(1024);
        }
    }
}
