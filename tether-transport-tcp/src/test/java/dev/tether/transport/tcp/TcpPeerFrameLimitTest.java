package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.testkit.Await;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers configured with different {@code maxFrameBytes} (docs/TCP.md, "Frames and limits"): a frame that fits the
 * sender's limit but not the limit the peer announced is dropped and {@code send} returns false, so the peer never
 * sees a frame above its limit (which would close the connection); the connection stays up and smaller frames flow.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpPeerFrameLimitTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final NodeId SMALL = NodeId.of("small");
    private static final NodeId BIG = NodeId.of("big");

    private final RecordingNodes nodes = new RecordingNodes(Duration.ofMillis(500));

    @AfterEach
    void closeAll() {
        nodes.closeAndCheckRules();
    }

    @Test
    void aFrameAboveThePeersLimitIsDroppedAndTheConnectionStays() {
        RecordingNode small = start("small", TcpTransport.builder().maxFrameBytes(4096));
        RecordingNode big = start(
                "big", TcpTransport.builder().maxFrameBytes(64 * 1024).peer(SMALL, small.transport.boundAddress()));
        Await.until(TIMEOUT, () -> small.listener.isUp(BIG) && big.listener.isUp(SMALL), () -> "both up");

        assertThat(big.transport.send(SMALL, ByteBuffer.allocate(10_000)))
                .as("a 10 KB frame to a peer with a 4 KiB limit")
                .isFalse();
        assertThat(big.transport.send(SMALL, ByteBuffer.allocate(4097)))
                .as("one byte too many")
                .isFalse();
        assertThat(big.transport.droppedFrames()).isEqualTo(2);

        byte[] fits = new byte[4096];
        Arrays.fill(fits, (byte) 7);
        assertThat(big.transport.send(SMALL, ByteBuffer.wrap(fits)))
                .as("a frame of exactly the peer's limit")
                .isTrue();
        Await.until(
                TIMEOUT,
                () -> small.listener.frames().stream().anyMatch(f -> Arrays.equals(f.bytes(), fits)),
                () -> "the fitting frame at small");
        assertThat(small.listener.frames()).hasSize(1);
        assertThat(small.rejections())
                .as("no frame above small's limit arrived")
                .isEmpty();
        assertThat(big.rejections()).isEmpty();
        assertThat(small.listener.ups(BIG)).as("ups of big at small").isEqualTo(1);
        assertThat(small.listener.downs(BIG)).as("downs of big at small").isZero();
        assertThat(big.listener.downs(SMALL)).as("downs of small at big").isZero();
        assertThat(small.listener.isUp(BIG)).isTrue();
    }

    private RecordingNode start(String id, TcpTransport.Builder builder) {
        return nodes.start(id, builder);
    }
}
