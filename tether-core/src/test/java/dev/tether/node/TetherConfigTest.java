package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Defaults that depend on the transport, and the checks that tie settings together. */
class TetherConfigTest {
    /** A transport that only states its frame limit; these tests never start it. */
    private record SizedTransport(int maxFrameBytes) implements Transport {
        @Override
        public void start(NodeId self, Listener listener) {}

        @Override
        public boolean send(NodeId peer, ByteBuffer frame) {
            return false;
        }

        @Override
        public void close() {}
    }

    private static TetherConfig.Builder builder(int maxFrameBytes) {
        return TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(new SizedTransport(maxFrameBytes))
                .store(new InMemoryStore())
                .durability(Durability.MEMORY);
    }

    @Test
    void defaultMessageLimitIsOneMebibyteWhenFramesAreLargeEnough() {
        assertThat(builder(16 << 20).build().maxMessageBytes()).isEqualTo(TetherConfig.DEFAULT_MAX_MESSAGE_BYTES);
    }

    @Test
    void defaultMessageLimitShrinksToWhatTheTransportCarries() {
        int frame = (1 << 20) - 93; // a NATS server's default max_payload minus the NATS transport's envelope
        assertThat(builder(frame).build().maxMessageBytes()).isEqualTo(frame - TetherConfig.FRAME_OVERHEAD);
    }

    @Test
    void anExplicitLimitTheTransportCannotCarryIsRefused() {
        assertThatThrownBy(() -> builder(4096).maxMessageBytes(8192).build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("maxMessageBytes 8192 needs frames of 8448 bytes")
                .hasMessageContaining("at most 4096");
    }

    @Test
    void aTransportTooSmallForAnyMessageIsRefused() {
        assertThatThrownBy(() -> builder(100).build()).isInstanceOf(InvalidConfigException.class);
    }
}
