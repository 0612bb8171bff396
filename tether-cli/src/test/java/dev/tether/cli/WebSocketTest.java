package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** WebSocket framing against RFC 6455's own examples and its rules for what a server must refuse. */
class WebSocketTest {
    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    @Test
    void theAcceptKeyIsTheRfcsExample() {
        assertThat(WebSocket.acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void readsMaskedAndFragmentedTextAnswersPingsAndTheClose() throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes(frame(0x01, false, "Hel")); // RFC 6455 5.7: a fragmented unmasked "Hello", masked here
        in.writeBytes(frame(0x09, true, "ping"));
        in.writeBytes(frame(0x00, true, "lo"));
        in.writeBytes(frame(0x08, true, ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket ws = new WebSocket(new ByteArrayInputStream(in.toByteArray()), out, 1024);
        assertThat(ws.readText()).isEqualTo("Hello");
        assertThat(ws.readText()).as("the client's close").isNull();
        byte[] written = out.toByteArray();
        assertThat(written[0] & 0xff)
                .as("a pong, unmasked, with the ping's payload")
                .isEqualTo(0x8a);
        assertThat(new String(written, 2, 4, StandardCharsets.UTF_8)).isEqualTo("ping");
        assertThat(written[6] & 0xff).as("the close answered").isEqualTo(0x88);
    }

    @Test
    void refusesUnmaskedOversizedAndBinaryFramesWithTheirStatus() {
        byte[] unmasked = {(byte) 0x81, 0x02, 'h', 'i'};
        assertStatus(unmasked, 1024, 1002);
        assertStatus(frame(0x01, true, "x".repeat(200)), 100, 1009);
        assertStatus(frame(0x02, true, "bin"), 1024, 1003);
        byte[] notUtf8 = frame(0x01, true, "ab");
        notUtf8[6] ^= (byte) 0xc0; // the first payload byte becomes 0xa1 after unmasking: a lone continuation byte
        assertStatus(notUtf8, 1024, 1007);
    }

    /**
     * A message in many fragments is joined in memory linear in its size: the largest message in one-byte fragments
     * allocates it a few times over (the joined buffer doubling, the decoded text), where copying what came before for
     * each fragment allocated 2 GiB. Allocated bytes, this thread's, do not depend on the machine's load. One byte more
     * is refused with 1009, however it is fragmented.
     */
    @Test
    void manyFragmentsAreJoinedInLinearMemoryUpToTheLimit() throws Exception {
        int max = 64 << 10;
        byte[] frames = fragments(max, 1);
        WebSocket ws = new WebSocket(new ByteArrayInputStream(frames), OutputStream.nullOutputStream(), max);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        String text = ws.readText();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(text).isEqualTo("a".repeat(max));
        assertThat(allocated).as("bytes allocated joining %,d fragments", max).isLessThan(16L * max);

        assertStatus(fragments(max + 1, 1024), max, 1009);
        assertStatus(fragments(max + 1, 1), max, 1009);
    }

    @Test
    void writesLengthsInAllThreeForms() throws Exception {
        for (int n : new int[] {5, 300, 70_000}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new WebSocket(new ByteArrayInputStream(new byte[0]), out, 1024).sendText("a".repeat(n));
            byte[] w = out.toByteArray();
            int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
            assertThat(w.length).isEqualTo(header + n);
            assertThat(w[0] & 0xff).isEqualTo(0x81);
        }
    }

    private static void assertStatus(byte[] frame, int max, int status) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocket ws = new WebSocket(new ByteArrayInputStream(frame), out, max);
        assertThatThrownBy(ws::readText)
                .isInstanceOf(WebSocket.ProtocolException.class)
                .satisfies(e ->
                        assertThat(((WebSocket.ProtocolException) e).status).isEqualTo(status));
        byte[] w = out.toByteArray();
        assertThat(w[0] & 0xff).as("a close frame went out").isEqualTo(0x88);
        assertThat(((w[2] & 0xff) << 8) | (w[3] & 0xff)).isEqualTo(status);
    }

    /** A text message of {@code n} bytes "a" in fragments of {@code each} bytes (the last one maybe shorter). */
    private static byte[] fragments(int n, int each) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        for (int at = 0; at < n; at += each) {
            int end = Math.min(n, at + each);
            f.writeBytes(frame(at == 0 ? 0x01 : 0x00, end == n, "a".repeat(end - at)));
        }
        return f.toByteArray();
    }

    /** A client frame: masked, short length. */
    private static byte[] frame(int opcode, boolean fin, String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        if (p.length < 126) f.write(0x80 | p.length);
        else {
            f.write(0x80 | 126);
            f.write(p.length >> 8);
            f.write(p.length);
        }
        f.writeBytes(MASK);
        for (int i = 0; i < p.length; i++) f.write(p[i] ^ MASK[i & 3]);
        return f.toByteArray();
    }
}
