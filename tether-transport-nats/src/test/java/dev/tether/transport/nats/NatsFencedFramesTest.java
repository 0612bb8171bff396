package dev.tether.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.TetherNode;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames from an up peer that do not carry its current link (here: published by a foreign connection in a's name with
 * made-up link ids) are fenced by the transport, and the node counts them in {@code NodeStats.framesFenced}: what shows
 * a peer that is up while all its frames are discarded.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NatsFencedFramesTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int FRAMES = 50;

    @Test
    void framesOfAnotherLinkAreCountedAsFencedInTheNodesStats() throws Exception {
        long seed = System.nanoTime();
        System.out.println("NatsFencedFramesTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        try (NatsServerProcess server = NatsServerProcess.start();
                NatsNodes c = new NatsNodes("fence", "a", "b")) {
            c.start("a", List.of(server.url()));
            TetherNode b = c.start("b", List.of(server.url()));
            Await.until(DEADLINE, () -> c.connected("a", "b"), () -> "a and b connected");
            long before = b.stats().framesFenced();

            Connection foreign =
                    Nats.connect(Options.builder().server(server.url()).build());
            try {
                for (int i = 0; i < FRAMES; i++) {
                    foreign.publish("fence.to.b.a", frameFromA(random.nextLong() | 1, random.nextLong() | 1));
                }
                foreign.flush(DEADLINE);
            } finally {
                foreign.close();
            }

            Await.until(
                    DEADLINE,
                    () -> b.stats().framesFenced() >= before + FRAMES,
                    () -> "fenced at b: " + b.stats().framesFenced() + " (was " + before + ")");
            assertThat(b.stats().framesFenced()).isEqualTo(c.transport("b").fencedFrames());
            assertThat(b.stats().protocolErrors())
                    .as("nothing reached the engine")
                    .isZero();
            assertThat(c.connected("a", "b")).isTrue();
        }
    }

    /** A FRAME envelope (docs/NATS.md) from "a" with made-up link ids and a few bytes of frame. */
    private static byte[] frameFromA(long fromLink, long toLink) {
        ByteBuffer e = ByteBuffer.allocate(5 + 1 + 24 + 4);
        e.put((byte) 'T').put((byte) 'N').put((byte) 1).put((byte) 1).put((byte) 1);
        e.put("a".getBytes(StandardCharsets.US_ASCII));
        e.putLong(fromLink | 1).putLong(fromLink).putLong(toLink).putInt(7);
        return e.array();
    }
}
