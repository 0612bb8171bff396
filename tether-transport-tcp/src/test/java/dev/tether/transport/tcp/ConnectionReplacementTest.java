package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.testkit.RecordingListener;
import dev.tether.transport.tcp.internal.Backoff;
import dev.tether.transport.tcp.internal.MemberExchange;
import dev.tether.transport.tcp.internal.PeerRegistry;
import dev.tether.transport.tcp.internal.Wire;
import dev.tether.transport.tcp.internal.WireHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A peer that reconnects before this node noticed its old connection die: the new connection replaces the old
 * one (down, then up), the old one is closed, and from then on only the new connection's frames are reported
 * (Transport rule 4).
 */
class ConnectionReplacementTest {
    private static final NodeId SELF = NodeId.of("self");
    private static final NodeId PEER = NodeId.of("p");

    private final RecordingListener listener = new RecordingListener("self", 1024);
    private final PeerRegistry registry = new PeerRegistry(
            SELF,
            listener,
            null,
            new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), new Random(0)),
            Map.of(),
            List.of(),
            new MemberExchange(SELF, List::of, new EmbeddedChannel().eventLoop(), Duration.ofHours(1)),
            null);
    private final WireHandler.Options options =
            new WireHandler.Options(1024, null, false, false, 1 << 20, 60_000, () -> new byte[Wire.NONCE_BYTES], null);

    @Test
    void newerConnectionFromTheSameDialerReplacesTheOlderOne() {
        EmbeddedChannel first = connect();
        first.writeInbound(Unpooled.wrappedBuffer(frame(1)));
        EmbeddedChannel second = connect();

        assertThat(first.isOpen()).as("the replaced connection is closed").isFalse();
        assertThat(listener.history(PEER)).containsExactly("up", "frame", "down", "up");
        second.writeInbound(Unpooled.wrappedBuffer(frame(2)));
        assertThat(listener.frames()).extracting(f -> f.bytes()[0]).containsExactly((byte) 1, (byte) 2);

        second.finishAndReleaseAll();
        first.finishAndReleaseAll();
        assertThat(listener.history(PEER)).containsExactly("up", "frame", "down", "up", "frame", "down");
        assertThat(listener.violations()).isEmpty();
    }

    private EmbeddedChannel connect() {
        EmbeddedChannel ch = new EmbeddedChannel(new WireHandler(registry, options, false, null, null));
        ch.writeInbound(Unpooled.wrappedBuffer(RawClient.dialerHello(PEER.value(), 1024), RawClient.confirm()));
        assertThat(ch.isOpen()).isTrue();
        return ch;
    }

    private static byte[] frame(int value) {
        return ByteBuffer.allocate(5).putInt(1).put((byte) value).array();
    }
}
