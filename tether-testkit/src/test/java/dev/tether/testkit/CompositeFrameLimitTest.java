package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.transport.CompositeTransport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A composite reports the smallest frame limit of its members ({@link Transport.Listener#onFrameLimit}): a frame may
 * go over any of them. A member's report counts up to its own {@code maxFrameBytes} only.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompositeFrameLimitTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A member that carries nothing and only reports frame limits when the test says so. */
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
    }

    @Test
    void theSmallestLimitOfTheMembersIsReported() {
        LimitedMember first = new LimitedMember(10_000);
        LimitedMember second = new LimitedMember(8_000);
        try (CompositeTransport c =
                CompositeTransport.builder().member(first).member(second).build()) {
            RecordingListener listener = new RecordingListener("a", c.maxFrameBytes());
            c.start(NodeId.of("a"), listener);

            first.report(5_000);
            awaitLimits(listener, List.of(5_000));
            second.report(3_000);
            awaitLimits(listener, List.of(5_000, 3_000));
            first.report(10_000); // raised again: the second still allows only 3000
            awaitLimits(listener, List.of(5_000, 3_000, 3_000));
            second.report(20_000); // above its own maxFrameBytes: counts as 8000
            awaitLimits(listener, List.of(5_000, 3_000, 3_000, 8_000));
            assertThat(listener.violations()).isEmpty();
        }
    }

    private static void awaitLimits(RecordingListener listener, List<Integer> expected) {
        Await.until(TIMEOUT, () -> listener.frameLimits().equals(expected), () -> "limits " + listener.frameLimits());
    }
}
