package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.internal.engine.FrameCodec;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The size the admission check returns is the payload's and the encoded headers' ({@link FrameCodec#headersSize}):
 * the node thread takes the headers' share from it for the page's byte count instead of walking them again.
 */
class SendAdmissionSizeTest {
    @Test
    void isThePayloadPlusTheEncodedHeaders() {
        long seed = System.nanoTime();
        System.out.println("SendAdmissionSizeTest seed " + seed);
        Random r = new Random(seed);
        SendAdmission a = new SendAdmission(NodeId.of("a"), Integer.MAX_VALUE, Long.MAX_VALUE, new AtomicLong(), null);
        for (int i = 0; i < 1_000; i++) {
            Map<String, String> headers = new HashMap<>();
            for (int h = r.nextInt(4); h > 0; h--) headers.put(text(r), text(r));
            if (r.nextBoolean()) headers = Map.copyOf(headers);
            int payload = r.nextInt(1_000);
            assertThat(a.checkSize(headers, payload))
                    .as("headers %s (seed %d)", headers, seed)
                    .isEqualTo(payload + FrameCodec.headersSize(headers));
        }
    }

    /** Mostly ASCII, sometimes characters of two, three or four UTF-8 bytes. */
    private static String text(Random r) {
        StringBuilder b = new StringBuilder();
        for (int n = 1 + r.nextInt(12); n > 0; n--) {
            int k = r.nextInt(30);
            if (k == 0) b.append('é');
            else if (k == 1) b.append('€');
            else if (k == 2) b.appendCodePoint(0x1F600);
            else b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }
}
