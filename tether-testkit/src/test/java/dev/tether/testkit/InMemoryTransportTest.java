package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.transport.memory.InMemoryNetwork;
import dev.tether.transport.memory.InMemoryTransport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryTransportTest extends TransportContract {
    private static final int MAX_FRAME_BYTES = 1 << 20;

    private InMemoryNetwork network;

    @Override
    protected Fixture newFixture() {
        network = new InMemoryNetwork(MAX_FRAME_BYTES);
        return new Fixture() {
            @Override
            public Transport newTransport(NodeId id) {
                return network.newTransport();
            }

            @Override
            public boolean supportsLinkControl() {
                return true;
            }

            @Override
            public void disconnect(NodeId a, NodeId b) {
                network.disconnect(a, b);
            }

            @Override
            public void connect(NodeId a, NodeId b) {
                network.connect(a, b);
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void oversizeFrameThrowsIllegalArgument() {
        Node a = start(A);
        start(B);
        awaitUp(a, B);

        assertThatThrownBy(() -> a.transport().send(B, ByteBuffer.allocate(MAX_FRAME_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frame of " + (MAX_FRAME_BYTES + 1) + " bytes exceeds maxFrameBytes " + MAX_FRAME_BYTES);
    }

    @Test
    void lifecycleMisuseIsRejected() {
        InMemoryTransport t = network.newTransport();
        assertThatThrownBy(() -> t.send(B, ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        t.close();
        assertThatThrownBy(() -> t.start(A, new RecordingListener("t", MAX_FRAME_BYTES)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(t.send(B, ByteBuffer.allocate(1))).isFalse();
    }

    @Test
    void secondTransportWithTheSameIdIsRejected() {
        start(A);
        InMemoryTransport twin = network.newTransport();

        assertThatThrownBy(() -> twin.start(A, new RecordingListener("twin", MAX_FRAME_BYTES)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
        twin.close();
    }

    @Test
    void framesInFlightAreDroppedWhenTheLinkIsCut() throws InterruptedException {
        CountDownLatch inFirstFrame = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        Node a = start(A);
        InMemoryTransport b = network.newTransport();
        try {
            b.start(B, new Transport.Listener() {
                @Override
                public void onPeerUp(NodeId peer) {
                    events.add("up");
                }

                @Override
                public void onPeerDown(NodeId peer) {
                    events.add("down");
                }

                @Override
                public void onFrame(NodeId from, ByteBuffer frame) {
                    events.add("frame " + frame.get(0));
                    inFirstFrame.countDown();
                    await(release);
                }
            });
            awaitUp(a, B);
            a.send(B, new byte[] {1});
            a.send(B, new byte[] {2});
            assertThat(inFirstFrame.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();

            network.disconnect(A, B);
            release.countDown();
            Await.until(TIMEOUT, () -> events.contains("down"), () -> "b to see a down");
            network.connect(A, B);
            awaitUp(a, B);
            a.send(B, new byte[] {3});

            Await.until(TIMEOUT, () -> events.contains("frame 3"), () -> "frame 3 at b, got " + events);
            assertThat(events).containsExactly("up", "frame 1", "down", "up", "frame 3");
        } finally {
            release.countDown();
            b.close();
        }
    }

    @Test
    void partitionSeparatesSidesUntilHeal() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        awaitUp(b, A, C);

        network.partition(Set.of(A));
        Await.until(TIMEOUT, () -> !a.listener().isUp(B) && !a.listener().isUp(C), () -> "a cut off");
        assertThat(b.listener().isUp(C)).isTrue();
        assertThat(a.send(B, new byte[1])).isFalse();
        assertThat(b.send(C, new byte[1])).isTrue();

        network.heal();
        awaitUp(a, B, C);
        awaitUp(c, A, B);
        assertThat(c.listener().downs(B)).isZero();
    }

    @Test
    void listenerFailureIsCountedAndDeliveryContinues() {
        List<Byte> delivered = new CopyOnWriteArrayList<>();
        Node a = start(A);
        InMemoryTransport b = network.newTransport();
        try {
            b.start(B, frameListener((from, frame) -> {
                if (frame.get(0) == 0) throw new IllegalStateException("test failure on purpose");
                delivered.add(frame.get(0));
            }));
            awaitUp(a, B);
            a.send(B, new byte[] {0});
            a.send(B, new byte[] {1});

            Await.until(TIMEOUT, () -> delivered.contains((byte) 1), () -> "frame 1 after the failure");
            assertThat(b.listenerFailures()).isEqualTo(1);
        } finally {
            b.close();
        }
    }

    @Test
    void listenerRunsOnTheDeliveryThreadAndMayCloseItsTransport() {
        List<Thread> threads = new CopyOnWriteArrayList<>();
        Node a = start(A);
        InMemoryTransport b = network.newTransport();
        Transport.Listener listener = frameListener((from, frame) -> {
            threads.add(Thread.currentThread());
            b.close();
        });
        b.start(B, listener);
        awaitUp(a, B);
        a.send(B, new byte[] {1});

        Await.until(TIMEOUT, () -> !a.listener().isUp(B), () -> "a to see b down after b closed itself");
        assertThat(threads).singleElement().isNotSameAs(Thread.currentThread());
        assertThatCode(b::close).doesNotThrowAnyException();
    }

    private interface FrameHandler {
        void onFrame(NodeId from, ByteBuffer frame);
    }

    private static Transport.Listener frameListener(FrameHandler handler) {
        return new Transport.Listener() {
            @Override
            public void onPeerUp(NodeId peer) {}

            @Override
            public void onPeerDown(NodeId peer) {}

            @Override
            public void onFrame(NodeId from, ByteBuffer frame) {
                handler.onFrame(from, frame);
            }
        };
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
