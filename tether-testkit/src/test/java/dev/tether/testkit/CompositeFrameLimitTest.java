package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import dev.tether.transport.CompositeTransport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A composite reports frame limits per peer ({@link Transport.Listener#onFrameLimit(NodeId, int)}): the limit of the
 * member that carries the peer, before each up on a member and when that member's limit changes, never one limit for
 * every peer ({@link Transport.Listener#onFrameLimit(int)}). A member's report counts up to the composite's own
 * {@code maxFrameBytes} only (the smallest of the members', which bounds the node's messages). Before, the composite
 * reported the smallest limit of all its members for every peer, so a NATS member's {@code max_payload} made a message
 * to a peer carried over TCP unsendable.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompositeFrameLimitTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    /** A member that carries nothing and only reports frame limits and peers up and down when the test says so. */
    private static final class LimitedMember implements Transport {
        private final int maxFrameBytes;
        private volatile Listener listener;

        LimitedMember(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
        }

        @Override
        public void start(NodeId self, Listener listener) {
            this.listener = listener;
        }

        @Override
        public boolean send(NodeId peer, ByteBuffer frame) {
            return false;
        }

        @Override
        public int maxFrameBytes() {
            return maxFrameBytes;
        }

        @Override
        public void close() {}

        void report(int bytes) {
            listener.onFrameLimit(bytes);
        }

        void up(NodeId peer) {
            if (listener.admit(peer, PeerProof.NONE) == null) listener.onPeerUp(peer);
        }

        void down(NodeId peer) {
            listener.onPeerDown(peer);
        }
    }

    @Test
    void eachPeerGetsTheLimitOfTheMemberThatCarriesIt() {
        LimitedMember first = new LimitedMember(10_000);
        LimitedMember second = new LimitedMember(8_000);
        try (CompositeTransport c = CompositeTransport.builder()
                .member(first)
                .member(second)
                .switchBackAfter(Duration.ofDays(1))
                .build()) {
            RecordingListener listener = new RecordingListener("a", c.maxFrameBytes());
            c.start(NodeId.of("a"), listener);

            first.up(B); // b over the first member, c over the second
            second.up(C);
            awaitLimits(listener, List.of("b=8000", "c=8000")); // before each up: within the composite's 8000
            assertThat(listener.isUp(B)).isTrue();
            second.report(3_000); // a NATS server's max_payload, say: c's frames only
            awaitLimits(listener, List.of("b=8000", "c=8000", "c=3000"));
            first.report(5_000);
            awaitLimits(listener, List.of("b=8000", "c=8000", "c=3000", "b=5000"));

            second.up(B); // b fails over to the second member: its limit before the up there
            first.down(B);
            awaitLimits(listener, List.of("b=8000", "c=8000", "c=3000", "b=5000", "b=3000"));
            Await.until(TIMEOUT, () -> listener.isUp(B), () -> "b up again: " + listener.history(B));
            second.report(20_000); // above its own maxFrameBytes and the composite's: counts as 8000, for b and c
            Await.until(
                    TIMEOUT,
                    () -> listener.peerFrameLimits().size() == 7,
                    () -> "limits " + listener.peerFrameLimits());
            assertThat(listener.peerFrameLimits().subList(5, 7)).containsExactlyInAnyOrder("b=8000", "c=8000");
            assertThat(listener.frameLimits()).as("no limit for every peer").isEmpty();
            assertThat(listener.violations()).isEmpty();
        }
    }

    private static void awaitLimits(RecordingListener listener, List<String> expected) {
        Await.until(
                TIMEOUT,
                () -> listener.peerFrameLimits().equals(expected),
                () -> "limits " + listener.peerFrameLimits());
    }
}
