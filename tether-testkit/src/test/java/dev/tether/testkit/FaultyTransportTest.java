package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.fixtures.FaultyTransport;
import dev.tether.spi.Transport;
import dev.tether.transport.memory.InMemoryNetwork;
import dev.tether.transport.memory.InMemoryTransport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs the transport contract through a duplicating {@link FaultyTransport}, then checks each fault. */
class FaultyTransportTest extends TransportContract {
    private static final int MARKER = 99;

    private final List<Pair> pairs = new ArrayList<>();
    private InMemoryNetwork network;

    @Override
    protected Fixture newFixture() {
        network = new InMemoryNetwork(1 << 20);
        return new Fixture() {
            @Override
            public Transport newTransport(NodeId id) {
                // duplicates keep every promise the contract checks; drops, delays and holds return true for
                // frames a cut link then loses, which the contract forbids
                return FaultyTransport.builder(network.newTransport())
                        .seed(id.hashCode())
                        .duplicate(0.3)
                        .build();
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
    void dropsEveryFrameAtRateOne() {
        Pair p = pair(b -> b.drop(1));

        for (int i = 0; i < 10; i++) assertThat(p.faulty.send(B, frame(i))).isTrue();
        p.sendMarker();

        assertThat(p.receivedBytes()).containsExactly(MARKER);
        assertThat(p.faulty.drops()).isEqualTo(10);
    }

    @Test
    void duplicatesEveryFrameAtRateOne() {
        Pair p = pair(b -> b.duplicate(1));

        for (int i = 0; i < 3; i++) p.faulty.send(B, frame(i));
        p.sendMarker();

        assertThat(p.receivedBytes()).containsExactly(0, 0, 1, 1, 2, 2, MARKER);
        assertThat(p.faulty.duplicates()).isEqualTo(3);
    }

    @Test
    void reorderSendsAHeldFrameAfterTheNextOne() {
        Pair p = pair(b -> b.reorder(1));

        for (int i = 0; i < 4; i++) p.faulty.send(B, frame(i));
        p.sendMarker();

        assertThat(p.receivedBytes()).containsExactly(1, 0, 3, 2, MARKER);
        assertThat(p.faulty.reorders()).isEqualTo(2);
    }

    @Test
    void delayedFramesArriveLater() {
        Pair p = pair(b -> b.delay(1, Duration.ofMillis(20)));

        for (int i = 0; i < 5; i++) assertThat(p.faulty.send(B, frame(i))).isTrue();

        Await.until(TIMEOUT, () -> p.receiver.frames().size() == 5, () -> "5 delayed frames");
        assertThat(p.receivedBytes()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(p.faulty.delays()).isEqualTo(5);
    }

    @Test
    void aHeldFrameNeverCrossesIntoALaterConnection() {
        Pair p = pair(b -> b.reorder(1));

        p.faulty.send(B, frame(0)); // held back
        p.net.disconnect(A, B);
        Await.until(TIMEOUT, () -> !p.sender.isUp(B), () -> "a sees b down");
        p.net.connect(A, B);
        Await.until(TIMEOUT, () -> p.sender.isUp(B) && p.receiver.isUp(A), () -> "reconnected");
        p.faulty.send(B, frame(1)); // releases the held frame, which belongs to the old connection
        p.sendMarker();

        assertThat(p.receivedBytes()).containsExactly(1, MARKER);
        assertThat(p.faulty.staleDrops()).isEqualTo(1);
    }

    @Test
    void partitionDropsEverythingUntilLifted() {
        Pair p = pair(UnaryOperator.identity());

        p.faulty.setPartitioned(true);
        p.faulty.send(B, frame(1));
        p.faulty.setPartitioned(false);
        p.faulty.send(B, frame(2));
        p.sendMarker();

        assertThat(p.receivedBytes()).containsExactly(2, MARKER);
        assertThat(p.faulty.partitionDrops()).isEqualTo(1);
    }

    @Test
    void sameSeedInjectsSameFaults() {
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Pair p = pair(b -> b.seed(1234).drop(0.3).duplicate(0.3).reorder(0.3));
            for (int i = 0; i < 50; i++) p.faulty.send(B, frame(i));
            p.sendMarker();
            runs.add(p.receivedBytes());
            p.close();
        }

        assertThat(runs.get(0)).isEqualTo(runs.get(1));
    }

    @Test
    void ratesOutsideZeroToOneAreRejected() {
        InMemoryTransport t = network.newTransport();

        assertThatThrownBy(() -> FaultyTransport.builder(t).drop(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FaultyTransport.builder(t).reorder(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FaultyTransport.builder(t).duplicate(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ByteBuffer frame(int value) {
        return ByteBuffer.wrap(new byte[] {(byte) value});
    }

    /** A faulty transport as A sending to a plain transport as B, plus A's unfaulty delegate for markers. */
    private Pair pair(UnaryOperator<FaultyTransport.Builder> faults) {
        InMemoryNetwork net = new InMemoryNetwork();
        InMemoryTransport delegate = net.newTransport();
        FaultyTransport faulty = faults.apply(FaultyTransport.builder(delegate)).build();
        InMemoryTransport b = net.newTransport();
        RecordingListener receiver = new RecordingListener("b", net.maxFrameBytes());
        RecordingListener sender = new RecordingListener("a", net.maxFrameBytes());
        faulty.start(A, sender);
        b.start(B, receiver);
        Await.until(TIMEOUT, () -> sender.isUp(B) && receiver.isUp(A), () -> "a and b up");
        Pair p = new Pair(net, faulty, sender, delegate, b, receiver);
        pairs.add(p);
        return p;
    }

    @AfterEach
    void closePairs() {
        pairs.forEach(Pair::close);
        pairs.forEach(p -> assertThat(p.receiver.violations()).isEmpty());
    }

    private record Pair(
            InMemoryNetwork net,
            FaultyTransport faulty,
            RecordingListener sender,
            InMemoryTransport delegate,
            InMemoryTransport b,
            RecordingListener receiver) {
        /** Sends the marker around the faults; the in-memory link is FIFO, so earlier frames arrived before it. */
        void sendMarker() {
            delegate.send(B, frame(MARKER));
            Await.until(TIMEOUT, () -> receivedBytes().contains(MARKER), () -> "the marker at b");
        }

        List<Integer> receivedBytes() {
            return receiver.frames().stream().map(f -> (int) f.bytes()[0]).toList();
        }

        void close() {
            faulty.close();
            b.close();
        }
    }
}
