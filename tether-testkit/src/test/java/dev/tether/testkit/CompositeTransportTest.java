package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.transport.CompositeTransport;
import dev.tether.transport.memory.InMemoryNetwork;
import dev.tether.transport.memory.InMemoryTransport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A composite of two in-memory members, both networks live: failover, switch back, fencing of the member that does
 * not carry the peer, admission asked again on a switch, bad input. Every listener checks the transport rules.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompositeTransportTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SWITCH_BACK = Duration.ofMillis(100);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final InMemoryNetwork preferred = new InMemoryNetwork();
    private final InMemoryNetwork fallback = new InMemoryNetwork();
    private final List<Side> sides = new ArrayList<>();

    /** A started composite and its members. */
    private record Side(
            NodeId id,
            CompositeTransport composite,
            InMemoryTransport preferred,
            InMemoryTransport fallback,
            RecordingListener listener) {}

    @AfterEach
    void closeAndCheckRules() {
        List<String> broken = new ArrayList<>();
        for (Side s : sides) {
            s.composite().close();
            s.listener().markClosed();
            broken.addAll(s.listener().violations());
        }
        assertThat(broken).as("transport rules broken").isEmpty();
    }

    @Test
    void failsOverWhenThePreferredMemberIsCutAndSwitchesBackOnceItWasUpForThePeriod() {
        Side a = start(A);
        Side b = start(B);
        awaitCarriedBy(a, B, 0);
        awaitCarriedBy(b, A, 0);
        awaitFallbackUp(a, b);
        awaitFallbackUp(b, a);
        long upsBefore = a.listener().ups(B);
        long switchesBefore = a.composite().switches(); // 1 if b came up on the fallback first

        preferred.disconnect(A, B);
        awaitCarriedBy(a, B, 1);
        awaitCarriedBy(b, A, 1);
        assertThat(a.listener().history(B)).endsWith("down", "up");
        assertThat(a.composite().send(B, ByteBuffer.wrap(new byte[] {1}))).isTrue();
        Await.until(TIMEOUT, () -> b.listener().frames().size() == 1, () -> "the frame over the fallback");

        long cutAt = System.nanoTime();
        preferred.connect(A, B);
        awaitCarriedBy(a, B, 0);
        assertThat(System.nanoTime() - cutAt)
                .as("switched back after the period")
                .isGreaterThanOrEqualTo(SWITCH_BACK.toNanos());
        awaitCarriedBy(b, A, 0);
        assertThat(a.composite().send(B, ByteBuffer.wrap(new byte[] {2}))).isTrue();
        Await.until(TIMEOUT, () -> b.listener().frames().size() == 2, () -> "the frame over the preferred member");
        assertThat(a.listener().ups(B)).isEqualTo(upsBefore + 2);
        assertThat(a.composite().switches()).isEqualTo(switchesBefore + 2);
    }

    @Test
    void framesOnTheMemberThatDoesNotCarryThePeerAreNeverDelivered() {
        Side a = start(A);
        Side b = start(B);
        awaitCarriedBy(a, B, 0);
        Await.until(TIMEOUT, () -> b.fallback().send(A, ByteBuffer.wrap(new byte[] {0})), () -> "fallback linked");

        for (int i = 1; i <= 100; i++)
            assertThat(b.fallback().send(A, ByteBuffer.wrap(new byte[] {7}))).isTrue();
        assertThat(b.preferred().send(A, ByteBuffer.wrap(new byte[] {9}))).isTrue();

        Await.until(TIMEOUT, () -> !a.listener().frames().isEmpty(), () -> "the frame on the preferred member");
        Await.until(
                TIMEOUT,
                () -> a.composite().droppedFrames() == 101,
                () -> "dropped " + a.composite().droppedFrames());
        assertThat(a.listener().frames()).extracting(f -> f.bytes()[0]).containsExactly((byte) 9);
        assertThat(a.composite().fencedFrames()).as("the node's framesFenced").isEqualTo(101);
    }

    @Test
    void aPeerRefusedSinceItCameUpIsNotReportedUpOnTheFallback() {
        Side a = start(A);
        Side b = start(B);
        awaitCarriedBy(a, B, 0);
        // Refused since it came up: the fallback's link must be up before the refusal, else the fallback itself is
        // refused on linking and B's side sees A up only after the connect below (1 of 20 runs did).
        awaitFallbackUp(a, b);
        a.listener().refuse(B, "b was removed");

        preferred.disconnect(A, B);
        Await.until(TIMEOUT, () -> a.listener().rejected("b was removed"), () -> "the refusal reported");
        assertThat(a.listener().isUp(B)).isFalse();
        assertThat(a.composite().currentMember(B)).isEqualTo(-1);
        assertThat(a.composite().send(B, ByteBuffer.wrap(new byte[1]))).isFalse();

        a.listener().admitAgain(B);
        a.composite().connect(B, List.of());
        awaitCarriedBy(a, B, 1);
        awaitCarriedBy(b, A, 1);
    }

    @Test
    void badInputIsRefusedWithSpecificErrors() {
        Transport t = preferred.newTransport();
        assertThatThrownBy(() -> CompositeTransport.builder().build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("composite transport: no members (add at least one transport)");
        assertThatThrownBy(() -> CompositeTransport.of(null))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("composite transport: member 0 is null");
        assertThatThrownBy(() -> CompositeTransport.of(t, fallback.newTransport(), null))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("composite transport: member 2 is null");
        assertThatThrownBy(() -> CompositeTransport.of(t, (Transport[]) null))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("composite transport: the fallbacks array is null");
        assertThatThrownBy(() -> CompositeTransport.of(t, t))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("composite transport: member 1 is the same transport as member 0");
        assertThatThrownBy(() -> CompositeTransport.of(CompositeTransport.of(t)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("member 0 is a composite transport itself");
        assertThatThrownBy(() -> CompositeTransport.builder().switchBackAfter(Duration.ofMillis(-1)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("switchBackAfter must be zero or positive, got PT-0.001S");

        CompositeTransport c = CompositeTransport.of(t, fallback.newTransport());
        assertThatThrownBy(() -> c.send(B, ByteBuffer.allocate(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("transport is not started");
        Side a = start(A);
        assertThatThrownBy(() -> a.composite().connect(B, List.of("0@x", "3@y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3@y names member 3");
        assertThatThrownBy(
                        () -> a.composite().send(B, ByteBuffer.allocate(InMemoryNetwork.DEFAULT_MAX_FRAME_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.composite().start(A, new RecordingListener("again", 1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSwitchBackPeriodAboveAYearIsRefusedWithTheBound() {
        assertThat(CompositeTransport.builder()
                        .member(preferred.newTransport())
                        .switchBackAfter(CompositeTransport.MAX_SWITCH_BACK_AFTER)
                        .build())
                .isNotNull();
        assertThatThrownBy(() -> CompositeTransport.builder().switchBackAfter(Duration.ofDays(366)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("composite transport: switchBackAfter must be at most 365 days, got PT8784H");
        // Beyond the nanoseconds a long holds (toNanos threw ArithmeticException at build()).
        assertThatThrownBy(() -> CompositeTransport.builder().switchBackAfter(Duration.ofHours(3_000_000_000L)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("at most 365 days");
    }

    /** Javadoc rule 10: a listener call that throws is counted, and the next frame is passed on as usual. */
    @Test
    void aListenerThatThrowsIsCountedAndTheNextFrameStillArrives() {
        Side a = start(A);
        List<Byte> arrived = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompositeTransport b = CompositeTransport.builder()
                .member(preferred.newTransport())
                .member(fallback.newTransport())
                .build();
        try {
            b.start(B, new Transport.Listener() {
                @Override
                public void onPeerUp(NodeId peer) {}

                @Override
                public void onPeerDown(NodeId peer) {}

                @Override
                public void onFrame(NodeId from, ByteBuffer frame) {
                    if (frame.get(0) == 0) throw new IllegalStateException("a listener failing on purpose");
                    arrived.add(frame.get(0));
                }
            });
            awaitCarriedBy(a, B, 0);
            // b drops what arrives before it has a up on the preferred member itself
            Await.until(TIMEOUT, () -> b.currentMember(A) == 0, () -> "b has a up on the preferred member");
            assertThat(a.composite().send(B, ByteBuffer.wrap(new byte[] {0}))).isTrue();
            Await.until(TIMEOUT, () -> b.listenerFailures() == 1, () -> "the failure counted");
            assertThat(a.composite().send(B, ByteBuffer.wrap(new byte[] {1}))).isTrue();
            Await.until(TIMEOUT, () -> arrived.contains((byte) 1), () -> "the frame after the failure: " + arrived);
            assertThat(b.listenerFailures()).isEqualTo(1);
        } finally {
            b.close();
        }
    }

    private Side start(NodeId id) {
        InMemoryTransport p = preferred.newTransport();
        InMemoryTransport f = fallback.newTransport();
        CompositeTransport c = CompositeTransport.builder()
                .member(p)
                .member(f)
                .switchBackAfter(SWITCH_BACK)
                .build();
        RecordingListener listener = new RecordingListener(id.value(), c.maxFrameBytes());
        Side side = new Side(id, c, p, f, listener);
        sides.add(side);
        c.start(id, listener);
        return side;
    }

    /**
     * Waits until {@code at}'s composite has seen {@code from} up on the fallback: a frame on the fallback that it
     * dropped came after that member's up, which the member reported before it (and the composite keeps each member's
     * order).
     */
    private static void awaitFallbackUp(Side at, Side from) {
        long dropped = at.composite().droppedFrames();
        Await.until(
                TIMEOUT,
                () -> from.fallback().send(at.id(), ByteBuffer.wrap(new byte[1])),
                () -> "the fallback linked");
        Await.until(TIMEOUT, () -> at.composite().droppedFrames() > dropped, () -> "the fallback's frame dropped");
    }

    private static void awaitCarriedBy(Side side, NodeId peer, int member) {
        Await.until(
                TIMEOUT,
                () -> side.composite().currentMember(peer) == member
                        && side.listener().isUp(peer),
                () -> peer + " carried by member " + member + ", now "
                        + side.composite().currentMember(peer));
    }
}
