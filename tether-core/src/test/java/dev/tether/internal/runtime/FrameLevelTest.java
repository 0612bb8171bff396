package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Priority;
import dev.tether.internal.engine.FrameCodec;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The level a received frame waits at in the node loop's input ({@link FrameLevel}): frames made by the codec. */
class FrameLevelTest {
    private static ByteBuffer data(String lane, Map<String, String> firstHeaders, Map<String, String> secondHeaders) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        int at = FrameCodec.beginData(b, lane, 7, 1);
        FrameCodec.message(b, 0, 0, firstHeaders, new byte[] {1, 2, 3}, 0);
        FrameCodec.message(b, 0, 0, secondHeaders, new byte[0], 0);
        FrameCodec.endData(b, at, 2);
        return b.flip();
    }

    private static Map<String, String> headers(String... kv) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) h.put(kv[i], kv[i + 1]);
        return h;
    }

    @Test
    void aDataFramesLevelIsItsFirstMessagesPriorityHeader() {
        assertThat(FrameLevel.of(data("alerts", headers(":p", "7"), headers()))).isEqualTo(7);
        assertThat(FrameLevel.of(data("bulk", headers("trace", "x", ":p", "0", "k", "v"), headers())))
                .isEqualTo(0);
        assertThat(FrameLevel.of(data("l", headers(), headers(":p", "7"))))
                .as("only the first message is read")
                .isEqualTo(Priority.DEFAULT);
        assertThat(FrameLevel.of(data("l", headers(":x", "7", "p", "1"), headers())))
                .isEqualTo(Priority.DEFAULT);
    }

    @Test
    void theBufferIsLeftAsItWasAndAnOffsetFrameReadsTheSame() {
        ByteBuffer f = data("alerts", headers(":p", "6"), headers());
        ByteBuffer offset = ByteBuffer.allocate(f.remaining() + 5).position(5);
        offset.put(f.duplicate()).position(5);
        int position = f.position(), limit = f.limit();
        assertThat(FrameLevel.of(f)).isEqualTo(6);
        assertThat(f.position()).isEqualTo(position);
        assertThat(f.limit()).isEqualTo(limit);
        assertThat(FrameLevel.of(offset)).isEqualTo(6);
    }

    @Test
    void otherFramesAndBadBytesAreOfTheDefaultLevel() {
        ByteBuffer open = ByteBuffer.allocate(64);
        FrameCodec.open(open, "alerts", 1, 0, 0);
        assertThat(FrameLevel.of(open.flip())).isEqualTo(Priority.DEFAULT);
        assertThat(FrameLevel.of(data("l", headers(":p", "9"), headers()))).isEqualTo(Priority.DEFAULT);
        assertThat(FrameLevel.of(data("l", headers(":p", "77"), headers()))).isEqualTo(Priority.DEFAULT);
        ByteBuffer whole = data("alerts", headers(":p", "7"), headers());
        for (int cut = 0; cut < whole.limit(); cut++) {
            int level = FrameLevel.of(whole.duplicate().limit(cut));
            assertThat(level).as("cut at %d", cut).isIn(Priority.DEFAULT, 7);
        }
        assertThat(FrameLevel.of(ByteBuffer.allocate(0))).isEqualTo(Priority.DEFAULT);
        ByteBuffer lying = data("alerts", headers(":p", "7"), headers());
        lying.put(3, (byte) 250); // a lane length beyond the frame
        assertThat(FrameLevel.of(lying)).isEqualTo(Priority.DEFAULT);
    }

    @Test
    void theLaneKeyIsThatOfTheFramesOfOneLaneAndNoneForAnAckWhichNamesSeveral() {
        ByteBuffer open = ByteBuffer.allocate(64);
        FrameCodec.open(open, "alerts", 1, 0, 0);
        assertThat(FrameLevel.laneKey(open.flip())).isEqualTo("alerts");
        assertThat(FrameLevel.laneKey(data("bulk", headers(), headers()))).isEqualTo("bulk");
        ByteBuffer ack = ByteBuffer.allocate(64);
        FrameCodec.ack(ack, "alerts", 1, 0, 0, 0);
        assertThat(FrameLevel.laneKey(ack.flip())).isNull();
    }
}
