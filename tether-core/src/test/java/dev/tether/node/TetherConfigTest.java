package dev.tether.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Channels;
import dev.tether.Durability;
import dev.tether.HandlerOptions;
import dev.tether.InvalidConfigException;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.TypeRef;
import dev.tether.internal.call.Utf8Codec;
import dev.tether.internal.engine.EngineConfig;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.Transport;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
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

    /** Batch limits bound the duration of commits that touch a disk; an in-memory store's take microseconds. */
    @Test
    void onlyStoresThatBlockGetBoundedBatches() {
        Transport transport = new SizedTransport(1 << 20);
        InMemoryStore memory = new InMemoryStore();
        Store blocking = new BlockingView(memory); // isNonBlocking() keeps its default: false
        for (Store store : List.of(memory, blocking)) {
            TetherConfig c = TetherConfig.builder(NodeId.of("a"))
                    .peers(NodeId.of("b"))
                    .transport(transport)
                    .store(store)
                    .durability(Durability.MEMORY)
                    .build();
            EngineConfig e = c.settings().engineConfig(16);
            assertThat(e.maxBatchesInFlight()).isEqualTo(EngineConfig.DEFAULT_MAX_BATCHES_IN_FLIGHT);
            if (store.isNonBlocking()) {
                assertThat(e.maxBatchMessages()).isEqualTo(Integer.MAX_VALUE);
                assertThat(e.minBatchMessages()).as("never pipelines").isEqualTo(Integer.MAX_VALUE);
            } else {
                assertThat(e.minBatchMessages()).isEqualTo(EngineConfig.DEFAULT_MIN_BATCH_MESSAGES);
                assertThat(e.maxBatchMessages()).isEqualTo(EngineConfig.DEFAULT_MAX_BATCH_MESSAGES);
            }
        }
    }

    /** docs/MESSAGING.md, "Compression": bad settings fail at {@code compression(...)}, before {@code build()}. */
    @Test
    void anUnknownCodecOrAThresholdBelowOneIsRefusedByCompression() {
        TetherConfig.Builder b = builder(1 << 20);
        assertThatThrownBy(() -> b.compression("brotli", 1024))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("compression codec 'brotli' is not on the class path")
                .hasMessageContaining("add tether-compression");
        assertThatThrownBy(() -> b.compression("lz4", 0))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("compression threshold must be >= 1, was 0");
        assertThatThrownBy(() -> b.compression("lz4", -5))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("was -5");
        b.build(); // the refused settings left the builder as it was
    }

    @Test
    void allowListPatternsAreValidatedAndKeptInOrder() {
        TetherConfig c = builder(1 << 20).allowedPeers("orders-*", "*.eu", "b").build();
        assertThat(c.allowedPeers()).containsExactly("orders-*", "*.eu", "b");
        assertThat(c.insecureAdmitUnprovenPeers()).isFalse();
        assertThat(builder(1 << 20).build().allowedPeers()).isEmpty();
        assertThatThrownBy(() -> builder(1 << 20).allowedPeers("orders/*"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("allowedPeers: invalid pattern");
        assertThatThrownBy(() -> builder(1 << 20).allowedPeers("")).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> builder(1 << 20).allowedPeers("x".repeat(65)))
                .isInstanceOf(InvalidConfigException.class);
    }

    @Test
    void typedHandlersNeedACodecWhichMayBeGivenAfterThem() {
        // tether-core's tests have no codec on the class path: build names the module to add.
        assertThatThrownBy(() -> builder(1 << 20)
                        .handle("typed", String.class, (s, call) -> s)
                        .build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dev.tether:tether-codec-jackson");
        TetherConfig c = builder(1 << 20)
                .handle("typed", String.class, (s, call) -> s)
                .handle("bytes", call -> null)
                .handleAsync("typedAsync", TypeRef.of(Integer.class), HandlerOptions.defaults(), (i, call) -> null)
                .codec(new Utf8Codec())
                .build();
        assertThat(c.handlerNames()).containsExactly("typed", "bytes", "typedAsync");
        assertThat(c.registrations().namedHandlers())
                .allSatisfy(h -> assertThat(h.options()).isEqualTo(HandlerOptions.defaults()));
        assertThatThrownBy(() -> builder(1 << 20).handle("x", call -> null).handle("x", String.class, (s, call) -> s))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("'x' was given already");
        assertThatThrownBy(() -> builder(1 << 20).handle("_x", String.class, (s, call) -> s))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void channelHandlersAreValidatedAsTheNodesHandleChannelDoesAndKeptInOrder() {
        TetherConfig c = builder(1 << 20)
                .handleChannel("news", d -> {})
                .handleChannel(Channels.BROADCAST, d -> {})
                .build();
        assertThat(c.handledChannels()).containsExactly("news", Channels.BROADCAST);
        assertThat(c.registrations().channelHandlers()).containsOnlyKeys("news", Channels.BROADCAST);
        assertThatThrownBy(() -> builder(1 << 20).handleChannel("news", d -> {}).handleChannel("news", d -> {}))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("channel 'news' was given already");
        assertThatThrownBy(() -> builder(1 << 20).handleChannel("_x", d -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("_x");
        assertThatThrownBy(() -> builder(1 << 20).handleChannel("no spaces", d -> {}))
                .isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> builder(1 << 20).handleChannel("news", null)).isInstanceOf(NullPointerException.class);
        assertThat(builder(1 << 20).build().handledChannels()).isEmpty();
    }

    @Test
    void theChannelJoinTimeoutIsTheCallTimeoutUnlessGiven() {
        assertThat(builder(1 << 20)
                        .defaultCallTimeout(Duration.ofSeconds(7))
                        .build()
                        .channelJoinTimeout())
                .isEqualTo(Duration.ofSeconds(7));
        TetherConfig c = builder(1 << 20)
                .channelJoinTimeout(Duration.ofSeconds(2))
                .defaultCallTimeout(Duration.ofSeconds(7))
                .build();
        assertThat(c.channelJoinTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.settings().channelJoinTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> builder(1 << 20).channelJoinTimeout(Duration.ZERO))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("channelJoinTimeout");
    }

    /** An in-memory store that does not say it is non-blocking, so the node treats it like a disk store. */
    private static final class BlockingView implements Store {
        private final InMemoryStore memory;

        BlockingView(InMemoryStore memory) {
            this.memory = memory;
        }

        @Override
        public Durability maxDurability() {
            return memory.maxDurability();
        }

        @Override
        public StoredState open(Durability durability) {
            return memory.open(durability);
        }

        @Override
        public void commit(WriteBatch batch) {
            memory.commit(batch);
        }

        @Override
        public List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max) {
            return memory.readOutbox(to, lane, fromSeq, max);
        }

        @Override
        public List<ChannelMessage> readChannel(String channel, long fromSeq, int max) {
            return memory.readChannel(channel, fromSeq, max);
        }

        @Override
        public StoredChannels readChannels() {
            return memory.readChannels();
        }

        @Override
        public List<DeadLetter> readDeadLetters(int max) {
            return memory.readDeadLetters(max);
        }

        @Override
        public List<KeyValue> readKeys(String namespace, String afterKey, long nowMillis, int max) {
            return memory.readKeys(namespace, afterKey, nowMillis, max);
        }

        @Override
        public void close() {
            memory.close();
        }
    }
}
