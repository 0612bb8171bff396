package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.transport.tcp.internal.Backoff;
import dev.tether.transport.tcp.internal.MemberExchange;
import dev.tether.transport.tcp.internal.PeerRegistry;
import dev.tether.transport.tcp.internal.Wire;
import dev.tether.transport.tcp.internal.WireHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The frames of one read reach the listener in one {@link Transport.Listener#onFrames} call, in order (the node then
 * posts one command for them instead of one per frame). Driven through the real decoding pipeline ({@link WireHandler},
 * {@link PeerRegistry}) in Netty's {@link EmbeddedChannel}, where one {@code writeInbound} is one read.
 */
class TcpReadBatchTest {
    private static final NodeId SELF = NodeId.of("self");
    private static final NodeId PEER = NodeId.of("p");
    private static final int MAX = 4096;

    /** What reached the listener, one entry per call: the frames' texts. */
    private final List<List<String>> calls = new ArrayList<>();

    private final List<String> rejections = new ArrayList<>();

    private final Transport.Listener listener = new Transport.Listener() {
        @Override
        public void onPeerUp(NodeId peer) {}

        @Override
        public void onPeerDown(NodeId peer) {}

        @Override
        public void onFrame(NodeId from, ByteBuffer frame) {
            calls.add(List.of(text(frame)));
        }

        @Override
        public void onFrames(NodeId from, List<ByteBuffer> frames) {
            List<String> texts = new ArrayList<>();
            for (ByteBuffer f : frames) texts.add(text(f));
            calls.add(texts);
        }

        @Override
        public void onConnectionRejected(String remote, String reason) {
            rejections.add(reason + " after " + calls.size() + " calls");
        }
    };

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
            new WireHandler.Options(MAX, null, false, false, 1 << 20, 60_000, () -> new byte[Wire.NONCE_BYTES], null);
    private EmbeddedChannel channel;

    @BeforeEach
    void connect() {
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(new WireHandler(registry, options, false, null, null));
        read(RawClient.dialerHello(PEER.value(), MAX));
        read(RawClient.confirm());
        calls.clear();
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static String text(ByteBuffer frame) {
        return StandardCharsets.UTF_8.decode(frame).toString();
    }

    private void read(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    /** Data records for frames {@code "f<from>"} to {@code "f<to - 1>"}. */
    private static byte[] records(int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            byte[] frame = ("f" + i).getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(frame.length).array());
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    private static List<String> names(int from, int to) {
        List<String> names = new ArrayList<>();
        for (int i = from; i < to; i++) names.add("f" + i);
        return names;
    }

    @Test
    void aReadOfManyFramesIsOneListenerCallInOrder() {
        read(records(0, 300));
        assertThat(calls).containsExactly(names(0, 300));
        read(records(300, 301));
        assertThat(calls).hasSize(2).last().isEqualTo(List.of("f300"));
    }

    @Test
    void aFrameSplitAcrossReadsGoesWithTheReadThatCompletesIt() {
        byte[] all = records(0, 10);
        int cut = all.length - 2; // inside f9's bytes
        read(Arrays.copyOfRange(all, 0, cut));
        read(Arrays.copyOfRange(all, cut, all.length));
        assertThat(calls).containsExactly(names(0, 9), List.of("f9"));
    }

    @Test
    void framesBeforeAViolationAreDeliveredBeforeItIsReported() {
        byte[] good = records(0, 5);
        byte[] bad = ByteBuffer.allocate(4).putInt(-7).array();
        byte[] both = Arrays.copyOf(good, good.length + bad.length);
        System.arraycopy(bad, 0, both, good.length, bad.length);
        read(both);
        assertThat(calls).containsExactly(names(0, 5));
        assertThat(rejections).containsExactly("invalid frame length -7 after 1 calls");
    }
}
