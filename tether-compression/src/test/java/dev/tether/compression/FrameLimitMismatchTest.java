package dev.tether.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.CompositeTransport;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sender packs a DATA frame so that it stays within its own frame limit decompressed; a receiver whose frame limit
 * is smaller (a smaller maxMessageBytes, or a composite whose smallest member is smaller than the carrier the frame
 * came over) accepts it all the same, as it would the same frame plain (docs/PROTOCOL.md, "Compression"). Before,
 * it refused the frame and each retransmission of it as a protocol error: the stream was stuck for good.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameLimitMismatchTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final NodeId S = NodeId.of("s");
    private static final NodeId R = NodeId.of("r");

    private final List<TetherNode> nodes = new ArrayList<>();
    private final Map<Integer, byte[]> received = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        for (TetherNode n : nodes) n.shutdown(Duration.ofSeconds(5));
    }

    /** A payload of {@code size} bytes that lz4 shrinks a hundredfold or so, distinct for each {@code i}. */
    private static byte[] compressible(int i, int size) {
        byte[] b = new byte[size];
        byte[] pattern = ("{\"i\":" + i + ",\"filler\":\"abcdefghijklmnopqrstuvwxyz0123456789\"},")
                .getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < size; at++) b[at] = pattern[at % pattern.length];
        return b;
    }

    private TetherNode start(NodeId id, NodeId peer, Transport transport, UnaryOperator<TetherConfig.Builder> more) {
        TetherNode n = Tether.start(more.apply(TetherConfig.builder(id)
                        .peers(peer)
                        .transport(transport)
                        .store(new InMemoryStore())
                        .durability(Durability.MEMORY)
                        .handler(d -> received.put(Integer.parseInt(d.headers().get("i")), d.payloadBytes())))
                .build());
        nodes.add(n);
        return n;
    }

    /** Queues {@code count} messages at {@code sender} (before its peer is up, so they share frames). */
    private static void send(TetherNode sender, int count, int size) {
        for (int i = 0; i < count; i++) {
            sender.send(OutboundMessage.to(R)
                    .header("i", Integer.toString(i))
                    .payload(compressible(i, size))
                    .build());
        }
    }

    private void await(TetherNode receiver, int count, int size) {
        Await.until(
                DEADLINE,
                () -> received.size() == count || receiver.stats().protocolErrors() > 0,
                () -> "deliveries: " + received.size() + " of " + count);
        assertThat(receiver.stats().protocolErrors())
                .as("protocol errors at the receiver")
                .isZero();
        assertThat(received).hasSize(count);
        for (int i = 0; i < count; i++)
            assertThat(Arrays.equals(received.get(i), compressible(i, size))).isTrue();
    }

    @Test
    void aMessageLargerThanTheReceiversFrameLimitArrivesCompressedAsItWouldPlain() {
        InMemoryNetwork net = new InMemoryNetwork();
        TetherNode s =
                start(S, R, net.newTransport(), b -> b.maxMessageBytes(4 << 20).compression("lz4", 1024));
        send(s, 1, 2 << 20);
        TetherNode r = start(R, S, net.newTransport(), b -> b); // default maxMessageBytes: 1 MiB
        await(r, 1, 2 << 20);
    }

    @Test
    void aFramePackedForTheSendersCarrierArrivesAtACompositeWhoseSmallestMemberIsSmaller() {
        InMemoryNetwork big = new InMemoryNetwork();
        InMemoryNetwork small = new InMemoryNetwork(1_048_483); // as NATS's default
        // The sender's frame limit: 1 MiB + 256 + 64 KiB = 1,114,368; it packs some 67 of these messages in a frame
        // of about 11 KiB on the wire (the wire bound counts each at its plain size: 64 KiB), more than the
        // receiver's 1,048,483 decompressed.
        TetherNode s = start(S, R, big.newTransport(), b -> b.compression("lz4", 1024));
        send(s, 200, 16 << 10);
        Transport composite = CompositeTransport.builder()
                .member(big.newTransport())
                .member(small.newTransport())
                .build();
        assertThat(composite.maxInboundFrameBytes()).isEqualTo(InMemoryNetwork.DEFAULT_MAX_FRAME_BYTES);
        assertThat(composite.maxFrameBytes()).isEqualTo(1_048_483);
        TetherNode r = start(R, S, composite, b -> b);
        await(r, 200, 16 << 10);
    }
}
