package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Received one-header maps are shared when the header was seen lately, and decode exactly as before either way. */
class HeaderMapsTest {
    /** Names and values that differ by a character, split differently, in case, beyond ASCII, or are long. */
    private static final List<String> PARTS = List.of(
            "a",
            "ab",
            "b",
            "bc",
            "abc",
            "A",
            "",
            ":f",
            "agent-1",
            "agent-2",
            "ü",
            "日本",
            "x".repeat(127),
            "y".repeat(200));

    @Test
    void aHeaderSeenBeforeSharesItsMapAndTheRestOfTheMessageDecodesAsWritten() {
        List<Map<String, String>> headers =
                List.of(Map.of(":f", "agent-1@n"), Map.of(":f", "agent-1@n"), Map.of(":f", "agent-2@n"));
        byte[] frame = frame(headers, 0);
        Frame.Data first = (Frame.Data) FrameCodec.decode(ByteBuffer.wrap(frame));
        Frame.Data second = (Frame.Data) FrameCodec.decode(ByteBuffer.wrap(frame));
        for (Frame.Data d : List.of(first, second)) {
            for (int i = 0; i < headers.size(); i++) {
                Frame.Message m = d.messages().get(i);
                assertThat(m.headers()).containsExactlyEntriesOf(headers.get(i));
                assertThat(m.payload()).containsExactly(i, i + 1);
                assertThat(m.intact("lane", i + 1))
                        .as("checksum read at the right place")
                        .isTrue();
            }
        }
        assertThat(first.messages().get(1).headers())
                .isSameAs(first.messages().get(0).headers());
        assertThat(second.messages().get(0).headers())
                .isSameAs(first.messages().get(0).headers());
        assertThat(second.messages().get(2).headers())
                .isSameAs(first.messages().get(2).headers());
        assertThat(first.messages().get(2).headers())
                .isNotSameAs(first.messages().get(0).headers());
        assertThatThrownBy(() -> first.messages().get(0).headers().put("k", "v"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    /** Seeded: near-colliding headers, decoded again and again from every kind of buffer, come back as written. */
    @Test
    void headersThatNearlyCollideDecodeExactly() {
        long seed = System.nanoTime();
        System.out.println("HeaderMapsTest seed " + seed);
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<Map<String, String>> headers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = PARTS.get(random.nextInt(PARTS.size())) + PARTS.get(random.nextInt(PARTS.size()));
                if (name.isEmpty()) name = "n";
                String value = PARTS.get(random.nextInt(PARTS.size())) + PARTS.get(random.nextInt(PARTS.size()));
                headers.add(Map.of(name, value));
            }
            byte[] frame = frame(headers, round);
            for (ByteBuffer b : buffers(frame)) {
                Frame.Data d = (Frame.Data) FrameCodec.decode(b);
                for (int i = 0; i < headers.size(); i++) {
                    Frame.Message m = d.messages().get(i);
                    assertThat(m.headers()).as("seed %d", seed).containsExactlyEntriesOf(headers.get(i));
                    assertThat(m.intact("lane", round + i + 1))
                            .as("seed %d", seed)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void aFrameCutInsideAKnownHeaderIsStillRefused() {
        byte[] frame = frame(List.of(Map.of(":f", "agent-9@n")), 0);
        FrameCodec.decode(ByteBuffer.wrap(frame)); // now kept
        for (int cut = frame.length - 1; cut > 0; cut--) {
            ByteBuffer b = ByteBuffer.wrap(frame, 0, cut).slice();
            assertThatThrownBy(() -> FrameCodec.decode(b)).isInstanceOf(ProtocolException.class);
        }
    }

    /** A DATA frame of one message per header map, the i-th with payload {i, i+1} and a correct checksum. */
    private static byte[] frame(List<Map<String, String>> headers, long firstSeq0) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        int at = FrameCodec.beginData(buf, "lane", 5, firstSeq0 + 1);
        for (int i = 0; i < headers.size(); i++) {
            byte[] payload = {(byte) i, (byte) (i + 1)};
            long checksum = dev.tether.spi.MessageChecksum.of("lane", firstSeq0 + i + 1, 0, headers.get(i), payload);
            FrameCodec.message(buf, 0, 0, headers.get(i), payload, checksum);
        }
        FrameCodec.endData(buf, at, headers.size());
        buf.flip();
        byte[] frame = new byte[buf.remaining()];
        buf.get(frame);
        return frame;
    }

    /** {@code frame} in a heap buffer, at an offset in a larger array, and read-only (no array: not looked up). */
    private static List<ByteBuffer> buffers(byte[] frame) {
        byte[] padded = new byte[frame.length + 10];
        System.arraycopy(frame, 0, padded, 5, frame.length);
        return List.of(
                ByteBuffer.wrap(frame),
                ByteBuffer.wrap(padded, 5, frame.length).slice(),
                ByteBuffer.wrap(frame).asReadOnlyBuffer());
    }
}
