package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.ProtocolException;
import dev.tether.spi.MessageChecksum;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

    private Frame roundTrip() {
        buf.flip();
        ByteBuffer copy = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
        return FrameCodec.decode(copy);
    }

    @Test
    void controlFramesRoundTrip() {
        FrameCodec.hello(buf, NodeId.of("node-1"), 42, 7, 0);
        assertThat(roundTrip()).isEqualTo(new Frame.Hello(NodeId.of("node-1"), 42, 7, 0));
        buf.clear();
        FrameCodec.open(buf, "orders", 7, 3, 9);
        assertThat(roundTrip()).isEqualTo(new Frame.Open("orders", 7, 3, 9));
        buf.clear();
        FrameCodec.ack(buf, "orders", 7, 5, 4, 1029);
        assertThat(roundTrip()).isEqualTo(new Frame.Acks(List.of(new Frame.Ack("orders", 7, 5, 4, 1029))));
        buf.clear();
        FrameCodec.resend(buf, "orders", 7, 6);
        assertThat(roundTrip()).isEqualTo(new Frame.Resend("orders", 7, 6));
        buf.clear();
        FrameCodec.cancel(buf, "orders", 7, 12);
        assertThat(roundTrip()).isEqualTo(new Frame.Cancel("orders", 7, 12));
        buf.clear();
        FrameCodec.outcome(buf, "orders", 7, 12, Frame.OutcomeNotice.CANCELLED);
        assertThat(roundTrip()).isEqualTo(new Frame.OutcomeNotice("orders", 7, 12, Frame.OutcomeNotice.CANCELLED));
        buf.clear();
        FrameCodec.outcome(buf, "orders", 7, 6, Frame.OutcomeNotice.DEAD_LETTERED);
        assertThat(roundTrip()).isEqualTo(new Frame.OutcomeNotice("orders", 7, 6, Frame.OutcomeNotice.DEAD_LETTERED));
        buf.clear();
        FrameCodec.outcome(buf, "orders", 7, 6, Frame.OutcomeNotice.NO_SUCH_HANDLER);
        assertThat(roundTrip()).isEqualTo(new Frame.OutcomeNotice("orders", 7, 6, Frame.OutcomeNotice.NO_SUCH_HANDLER));
        buf.clear();
        FrameCodec.outcome(buf, "orders", 7, 6, Frame.OutcomeNotice.NO_SUCH_ENDPOINT);
        assertThat(roundTrip())
                .isEqualTo(new Frame.OutcomeNotice("orders", 7, 6, Frame.OutcomeNotice.NO_SUCH_ENDPOINT));
        buf.clear();
        FrameCodec.outcome(buf, "orders", 7, 6, Frame.OutcomeNotice.DROPPED);
        assertThat(roundTrip()).isEqualTo(new Frame.OutcomeNotice("orders", 7, 6, Frame.OutcomeNotice.DROPPED));
        buf.clear();
        FrameCodec.ping(buf, 1_700_000_000_123L);
        assertThat(roundTrip()).isEqualTo(new Frame.Ping(1_700_000_000_123L));
        buf.clear();
        FrameCodec.pong(buf, 0);
        assertThat(roundTrip()).isEqualTo(new Frame.Pong(0));
    }

    @Test
    void helloCarriesTheCodecsThePeerDecompressesUnknownBitsKept() {
        int lz4AndSnappy = Frame.Hello.LZ4 | Frame.Hello.SNAPPY;
        FrameCodec.hello(buf, NodeId.of("a"), 1, 2, lz4AndSnappy);
        Frame.Hello h = (Frame.Hello) roundTrip();
        assertThat(h).isEqualTo(new Frame.Hello(NodeId.of("a"), 1, 2, 0b101));
        assertThat(h.decodes(1)).as("LZ4").isTrue();
        assertThat(h.decodes(2)).as("Zstd").isFalse();
        assertThat(h.decodes(3)).as("Snappy").isTrue();
        assertThat(h.decodes(0)).isFalse();
        assertThat(h.decodes(9)).isFalse();
        buf.clear();
        // A later build may decompress more: its bits decode, and this node ignores what it does not know.
        FrameCodec.hello(buf, NodeId.of("a"), 1, 2, 0xff);
        Frame.Hello all = (Frame.Hello) roundTrip();
        assertThat(all.codecs()).isEqualTo(0xff);
        assertThat(all.decodes(8)).isTrue();
        buf.clear();
        FrameCodec.hello(buf, NodeId.of("a"), 1, 2, 0);
        buf.position(buf.position() - 1); // a version 2 HELLO: no codecs byte
        assertBadFrame("truncated");
    }

    @Test
    void outcomesAreOneToSixAndNothingElse() {
        for (int k = 1; k <= 6; k++) {
            buf.clear();
            FrameCodec.outcome(buf, "l", 1, 1, k);
            assertThat(((Frame.OutcomeNotice) roundTrip()).outcome()).isEqualTo(k);
        }
        buf.clear();
        FrameCodec.outcome(buf, "l", 1, 1, 7);
        assertBadFrame("unknown outcome 7");
        FrameCodec.outcome(buf, "l", 1, 1, 0);
        assertBadFrame("unknown outcome 0");
        FrameCodec.outcome(buf, "l", 1, 1, 255);
        assertBadFrame("unknown outcome 255");
    }

    @Test
    void aDroppedMarkerRoundTripsAndCarriesNothingElse() {
        byte[] none = new byte[0];
        int at = FrameCodec.beginData(buf, "x", 1, 5);
        int flags = Frame.Message.DROPPED | Frame.Message.REDELIVERY;
        FrameCodec.message(buf, flags, 77, Map.of(), none, MessageChecksum.of("x", 5, 77, Map.of(), none));
        FrameCodec.endData(buf, at, 1);
        Frame.Message m = ((Frame.Data) roundTrip()).messages().get(0);
        assertThat(m.has(Frame.Message.DROPPED)).isTrue();
        assertThat(m.has(Frame.Message.REDELIVERY)).isTrue();
        assertThat(m.intact("x", 5)).as("the marker's checksum, like EXPIRED's").isTrue();

        dataWith(Frame.Message.DROPPED, Map.of(), new byte[] {1});
        assertBadFrame("DROPPED marker carries 0 headers and 1 payload bytes");
        dataWith(Frame.Message.DROPPED, Map.of("k", "v"), none);
        assertBadFrame("DROPPED marker carries 1 headers and 0 payload bytes");
        for (int other : new int[] {Frame.Message.EXPIRED, Frame.Message.CANCELLED, Frame.Message.CORRUPT}) {
            dataWith(Frame.Message.DROPPED | other, Map.of(), none);
            assertBadFrame("DROPPED marker with other marker flags " + (Frame.Message.DROPPED | other));
        }
    }

    private void dataWith(int flags, Map<String, String> headers, byte[] payload) {
        buf.clear();
        int at = FrameCodec.beginData(buf, "x", 1, 5);
        FrameCodec.message(buf, flags, 0, headers, payload, MessageChecksum.of("x", 5, 0, headers, payload));
        FrameCodec.endData(buf, at, 1);
    }

    @Test
    void aFrameOfAnotherVersionIsRefusedWithWhichSideToUpgrade() {
        assertThat(FrameCodec.VERSION).isEqualTo((byte) 4);
        // Version 3: every frame, even one whose layout did not change, since nothing is negotiated.
        assertBad(
                new byte[] {0x54, 3, Frame.PONG, 0, 0, 0, 0, 0, 0, 0, 1},
                "unsupported protocol version 3 (this node speaks 4): the peer runs a Tether from before ACK frames"
                        + " covering several streams (version 4); upgrade it");
        assertBad(
                new byte[] {0x54, 2, Frame.PONG, 0, 0, 0, 0, 0, 0, 0, 1},
                "unsupported protocol version 2 (this node speaks 4): the peer runs a Tether from before compression"
                        + " codecs in HELLO, DROPPED markers and OUTCOMEs 5 and 6 (version 3); upgrade it");
        assertBad(
                new byte[] {0x54, 1, Frame.PING},
                "unsupported protocol version 1 (this node speaks 4): the peer runs a Tether from before message"
                        + " checksums (version 2); upgrade it");
        assertBad(
                new byte[] {0x54, 5, Frame.PING},
                "unsupported protocol version 5 (this node speaks 4): the peer runs a newer Tether; upgrade this node");
        assertBad(new byte[] {0x54, 0, Frame.PING}, "unsupported protocol version 0");
    }

    @Test
    void dataFrameRoundTripsMessagesWithHeadersAndEmptyPayloads() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "text/plain");
        headers.put("ünïcode", "välue ✓");
        int at = FrameCodec.beginData(buf, "default", 99, 10);
        byte[] payload = {1, 2, 3};
        long checksum = MessageChecksum.of("default", 10, 1234, headers, payload);
        FrameCodec.message(buf, Frame.Message.REDELIVERY, 1234, headers, payload, checksum);
        FrameCodec.message(
                buf, 0, 0, Map.of(), new byte[0], MessageChecksum.of("default", 11, 0, Map.of(), new byte[0]));
        FrameCodec.endData(buf, at, 2);
        Frame.Data d = (Frame.Data) roundTrip();
        assertThat(d.lane()).isEqualTo("default");
        assertThat(d.senderEpoch()).isEqualTo(99);
        assertThat(d.firstSeq()).isEqualTo(10);
        assertThat(d.messages()).hasSize(2);
        Frame.Message m = d.messages().get(0);
        assertThat(m.has(Frame.Message.REDELIVERY)).isTrue();
        assertThat(m.expiresAtMillis()).isEqualTo(1234);
        assertThat(m.headers()).containsExactlyEntriesOf(headers);
        assertThat(m.payload()).containsExactly(1, 2, 3);
        assertThat(m.checksum()).isEqualTo(checksum);
        assertThat(m.intact("default", 10)).isTrue();
        assertThat(m.intact("default", 11))
                .as("the checksum covers the sequence number")
                .isFalse();
        assertThat(m.intact("other", 10)).as("and the lane").isFalse();
        assertThat(d.messages().get(1).payload()).isEmpty();
        assertThat(d.messages().get(1).intact("default", 11)).isTrue();
        assertThat(FrameCodec.messageSize(headers, 3))
                .isEqualTo(FrameCodec.MESSAGE_OVERHEAD + FrameCodec.headersSize(headers) + 3);
    }

    /** Strings decode alike from every kind of buffer a transport hands over; bytes that are not UTF-8 are refused. */
    @Test
    void stringsDecodeAlikeFromEveryKindOfBufferAndInvalidUtf8IsRefused() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("k", "XY"); // replaced by invalid bytes below
        headers.put("ünïcode", "välue ✓ 日本");
        headers.put("ctl", "a\u0000\u001fb");
        int at = FrameCodec.beginData(buf, "_e.agent-1", 99, 1);
        FrameCodec.message(buf, 0, 0, headers, new byte[] {7}, 1);
        FrameCodec.endData(buf, at, 1);
        buf.flip();
        byte[] frame = new byte[buf.remaining()];
        buf.get(frame);
        for (ByteBuffer b : kindsOf(frame)) {
            Frame.Data d = (Frame.Data) FrameCodec.decode(b);
            assertThat(d.lane()).isEqualTo("_e.agent-1");
            assertThat(d.messages().get(0).headers()).containsExactlyEntriesOf(headers);
            assertThat(d.messages().get(0).payload()).containsExactly(7);
        }

        int xy = indexOf(frame, new byte[] {'X', 'Y'});
        for (byte[] invalid : List.of(new byte[] {(byte) 0xc3, 0x28}, new byte[] {(byte) 0xff, 'Y'})) {
            byte[] bad = frame.clone();
            System.arraycopy(invalid, 0, bad, xy, 2);
            for (ByteBuffer b : kindsOf(bad)) {
                assertThatThrownBy(() -> FrameCodec.decode(b))
                        .isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("invalid UTF-8 in string");
            }
        }
    }

    /** {@code frame} in a heap buffer, one at an offset in its array, a direct one and a read-only one. */
    private static List<ByteBuffer> kindsOf(byte[] frame) {
        byte[] padded = new byte[frame.length + 10];
        System.arraycopy(frame, 0, padded, 5, frame.length);
        ByteBuffer offset = ByteBuffer.wrap(padded, 5, frame.length).slice();
        ByteBuffer direct = ByteBuffer.allocateDirect(frame.length).put(frame).flip();
        return List.of(
                ByteBuffer.wrap(frame), offset, direct, ByteBuffer.wrap(frame).asReadOnlyBuffer());
    }

    private static int indexOf(byte[] a, byte[] part) {
        for (int i = 0; i + part.length <= a.length; i++) {
            if (Arrays.equals(a, i, i + part.length, part, 0, part.length)) return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void wireNumbersAreTheDocumentedOnesAndEachMessageFlagDecodes() {
        // docs/PROTOCOL.md, "Frames": a changed number is a protocol change, not a refactoring.
        assertThat(List.of(
                        Frame.HELLO,
                        Frame.OPEN,
                        Frame.DATA,
                        Frame.ACK,
                        Frame.RESEND,
                        Frame.OUTCOME,
                        Frame.PING,
                        Frame.PONG,
                        Frame.CANCEL))
                .containsExactly(
                        (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6, (byte) 7, (byte) 8, (byte) 9);
        assertThat(List.of(
                        Frame.OutcomeNotice.EXPIRED,
                        Frame.OutcomeNotice.DEAD_LETTERED,
                        Frame.OutcomeNotice.NO_SUCH_HANDLER,
                        Frame.OutcomeNotice.CANCELLED,
                        Frame.OutcomeNotice.NO_SUCH_ENDPOINT,
                        Frame.OutcomeNotice.DROPPED))
                .containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(List.of(Frame.Hello.LZ4, Frame.Hello.ZSTD, Frame.Hello.SNAPPY))
                .containsExactly(1, 2, 4);
        int[] flags = {
            Frame.Message.REDELIVERY,
            Frame.Message.EXPIRED,
            Frame.Message.CORRUPT,
            Frame.Message.CANCELLED,
            Frame.Message.DROPPED
        };
        assertThat(flags).containsExactly(1, 2, 4, 8, 16);
        String lane = "_c.x"; // a channel lane: every flag is valid there
        for (int flag : flags) {
            buf.clear();
            int at = FrameCodec.beginData(buf, lane, 1, 5);
            FrameCodec.message(
                    buf, flag, 0, Map.of(), new byte[0], MessageChecksum.of(lane, 5, 0, Map.of(), new byte[0]));
            FrameCodec.endData(buf, at, 1);
            Frame.Message m = ((Frame.Data) roundTrip()).messages().get(0);
            assertThat(m.flags()).as("flag %d", flag).isEqualTo(flag);
            assertThat(m.intact(lane, 5)).as("flag %d", flag).isTrue();
        }
        buf.clear();
        int at = FrameCodec.beginData(buf, "x", 1, 5);
        FrameCodec.message(buf, 32, 0, Map.of(), new byte[0], 0);
        FrameCodec.endData(buf, at, 1);
        assertBadFrame("unknown message flags 32");
    }

    @Test
    void rejectsEachKindOfMalformedFrameWithAReason() {
        assertBad(new byte[] {}, "shorter than its header");
        assertBad(new byte[] {1, 1, 1}, "bad magic");
        assertBad(new byte[] {0x54, 9, 1}, "unsupported protocol version 9");
        assertBad(new byte[] {0x54, 4, 99}, "unknown frame type 99");
        assertBad(new byte[] {0x54, 4, Frame.HELLO, 3, 'a'}, "does not fit");
        FrameCodec.open(buf, "x", 1, 5, 4);
        assertBadFrame("ackedSeq 5 > lastSeq 4");
        FrameCodec.ack(buf, "x", 1, 1, 2, 3);
        assertBadFrame("processed <= received <= credit");
        FrameCodec.open(buf, "x", 0, 0, 0);
        assertBadFrame("epoch must not be 0");
        FrameCodec.resend(buf, "x", 1, 0);
        assertBadFrame("fromSeq must be >= 1");
        FrameCodec.open(buf, "bad lane", 1, 0, 0);
        assertBadFrame("invalid lane");
        FrameCodec.hello(buf, NodeId.of("a"), 1, 1, 0);
        buf.put((byte) 0);
        assertBadFrame("trailing bytes");
        FrameCodec.hello(buf, NodeId.of("a"), 1, 0, 0);
        assertBadFrame("epoch must not be 0"); // the boot id, like an epoch, is never 0
        FrameCodec.hello(buf, NodeId.of("a"), 0, 1, 0);
        assertBadFrame("epoch must not be 0"); // a store's epoch is never 0 (Store rule)
        int at = FrameCodec.beginData(buf, "x", 1, 1);
        FrameCodec.endData(buf, at, 1_000_000);
        assertBadFrame("message count 1000000 does not fit");
        at = FrameCodec.beginData(buf, "x", 1, 1);
        FrameCodec.message(buf, 0x80, 0, Map.of(), new byte[0], 0);
        FrameCodec.endData(buf, at, 1);
        assertBadFrame("unknown message flags");
        FrameCodec.ping(buf, -1);
        assertBadFrame("PING timestamp must be >= 0, was -1");
        FrameCodec.pong(buf, Long.MIN_VALUE);
        assertBadFrame("PONG timestamp must be >= 0");
        FrameCodec.ping(buf, 5);
        buf.put((byte) 0);
        assertBadFrame("trailing bytes");
        assertBad(new byte[] {0x54, 4, Frame.PONG, 0, 0, 0}, "truncated");
    }

    @Test
    void randomMutationsNeverEscapeAsAnythingButProtocolException() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("FrameCodecTest seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        Random rnd = new Random(seed);
        int at = FrameCodec.beginData(buf, "lane-1", 5, 1);
        FrameCodec.message(buf, 0, 0, Map.of("k", "v"), new byte[40], 1);
        FrameCodec.message(buf, 1, 77, Map.of(), new byte[3], 0xffff_ffffL);
        FrameCodec.endData(buf, at, 2);
        buf.flip();
        byte[] data = Arrays.copyOf(buf.array(), buf.limit());
        buf.clear();
        FrameCodec.ping(buf, 1_234_567);
        buf.flip();
        byte[] ping = Arrays.copyOf(buf.array(), buf.limit());
        buf.clear();
        FrameCodec.hello(buf, NodeId.of("node-7"), 99, 5, Frame.Hello.LZ4);
        buf.flip();
        byte[] hello = Arrays.copyOf(buf.array(), buf.limit());
        byte[][] corpus = {data, ping, hello};
        for (int i = 0; i < 60_000; i++) {
            byte[] mutated = mutate(corpus[i % corpus.length], rnd);
            try {
                FrameCodec.decode(ByteBuffer.wrap(mutated));
            } catch (ProtocolException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    static byte[] mutate(byte[] valid, Random rnd) {
        byte[] m = valid.clone();
        switch (rnd.nextInt(4)) {
            case 0 -> m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            case 1 -> m = Arrays.copyOf(m, rnd.nextInt(m.length));
            case 2 -> {
                for (int k = 0; k < 4; k++) m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            }
            default -> {
                m = Arrays.copyOf(m, m.length + 1 + rnd.nextInt(8));
                rnd.nextBytes(m);
                m[0] = FrameCodec.MAGIC;
                m[1] = FrameCodec.VERSION;
                m[2] = (byte) (1 + rnd.nextInt(Frame.CANCEL + 1)); // every type and one beyond
            }
        }
        return m;
    }

    private void assertBadFrame(String reason) {
        buf.flip();
        byte[] b = Arrays.copyOf(buf.array(), buf.limit());
        buf.clear();
        assertBad(b, reason);
    }

    private static void assertBad(byte[] bytes, String reason) {
        assertThatThrownBy(() -> FrameCodec.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(reason);
    }
}
