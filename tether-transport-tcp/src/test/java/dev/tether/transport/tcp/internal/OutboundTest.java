package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@link Outbound} writes for a frame: its remaining bytes, length-prefixed, the frame itself unchanged. */
class OutboundTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Outbound out = new Outbound(channel, 1 << 20, 1 << 20);

    @Test
    void aHeapFrameInsideALargerArrayIsWrittenFromItsPositionToItsLimit() {
        byte[] whole = "xxxxHEADERframe-bodytail".getBytes(StandardCharsets.US_ASCII);
        // A slice with an array offset (4), then a position (6) and a limit inside it: "frame-body".
        ByteBuffer frame = ByteBuffer.wrap(whole, 4, whole.length - 4).slice();
        frame.position(6).limit(16);

        assertThat(out.offer(frame)).isEqualTo(Outbound.Result.QUEUED);

        assertThat(written()).isEqualTo("frame-body");
        assertThat(frame.position()).isEqualTo(6);
        assertThat(frame.limit()).isEqualTo(16);
    }

    @Test
    void directAndReadOnlyFramesAreWrittenAndLeftUnchanged() {
        ByteBuffer direct = ByteBuffer.allocateDirect(8).put("ab-direct".getBytes(StandardCharsets.US_ASCII), 0, 8);
        direct.position(1).limit(8);
        ByteBuffer readOnly =
                ByteBuffer.wrap("read-only".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
        readOnly.position(5);

        out.offer(direct);
        out.offer(readOnly);

        assertThat(written()).isEqualTo("b-direc" + "only");
        assertThat(direct.position()).isEqualTo(1);
        assertThat(readOnly.position()).isEqualTo(5);
    }

    /** Runs the drain and reads the length-prefixed frames written, concatenated. */
    private String written() {
        channel.runPendingTasks();
        StringBuilder s = new StringBuilder();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            while (b.isReadable()) {
                byte[] frame = new byte[b.readInt()];
                b.readBytes(frame);
                s.append(new String(frame, StandardCharsets.US_ASCII));
            }
            b.release();
        }
        return s.toString();
    }
}
