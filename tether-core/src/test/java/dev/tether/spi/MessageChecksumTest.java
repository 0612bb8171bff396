package dev.tether.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The checksum is exactly the documented byte layout (docs/PROTOCOL.md, "Message checksum"), computed plainly. */
class MessageChecksumTest {
    private static long documented(String lane, long seq, long expiresAt, Map<String, String> headers, byte[] payload)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] l = lane.getBytes(StandardCharsets.UTF_8);
        out.writeByte(l.length);
        out.write(l);
        out.writeLong(seq);
        out.writeLong(expiresAt);
        out.writeShort(headers.size());
        for (Map.Entry<String, String> e : new TreeMap<>(headers).entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            out.writeShort(k.length);
            out.write(k);
            out.writeShort(v.length);
            out.write(v);
        }
        out.writeInt(payload.length);
        out.write(payload);
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        return crc.getValue();
    }

    @Test
    void matchesTheDocumentedLayout() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("z-last", "välue");
        headers.put(":k", "r");
        headers.put("a", "");
        byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);
        assertThat(MessageChecksum.of("default", 7, 0, Map.of(), payload))
                .isEqualTo(documented("default", 7, 0, Map.of(), payload));
        assertThat(MessageChecksum.of("orders", Long.MAX_VALUE, 1_700_000_000_123L, headers, new byte[0]))
                .isEqualTo(documented("orders", Long.MAX_VALUE, 1_700_000_000_123L, headers, new byte[0]));
        assertThat(MessageChecksum.of("lané", 1, 2, headers, payload))
                .as("a lane that is not ASCII (invalid as a lane, still defined)")
                .isEqualTo(documented("lané", 1, 2, headers, payload));
        assertThat(MessageChecksum.of("default", 7, 0, Map.of("b", "2", "a", "1"), payload))
                .as("header order does not matter")
                .isEqualTo(MessageChecksum.of("default", 7, 0, new TreeMap<>(Map.of("a", "1", "b", "2")), payload));
    }

    /**
     * Seeded: lanes and headers ASCII (the one-array path) or not (the general one), 0 to 5 headers, long values:
     * always the documented layout.
     */
    @Test
    void matchesTheDocumentedLayoutForRandomContent() throws IOException {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("MessageChecksumTest seed " + seed + " (replay with -Dtether.seed=" + seed + ")");
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < 2_000; i++) {
            String lane = text(r, 1 + r.nextInt(64));
            Map<String, String> headers = new java.util.HashMap<>();
            int n = r.nextInt(6);
            for (int h = 0; h < n; h++)
                headers.put(text(r, 1 + r.nextInt(12)), text(r, r.nextInt(r.nextInt(10) == 0 ? 3000 : 20)));
            if (r.nextBoolean()) headers = Map.copyOf(headers); // immutable, as sends' headers are (one: Map1)
            byte[] payload = new byte[r.nextInt(50)];
            r.nextBytes(payload);
            long seq = r.nextLong();
            long expiresAt = r.nextBoolean() ? 0 : r.nextLong();
            assertThat(MessageChecksum.of(lane, seq, expiresAt, headers, payload))
                    .as("lane %s, headers %s (seed %d)", lane, headers, seed)
                    .isEqualTo(documented(lane, seq, expiresAt, headers, payload));
        }
    }

    /**
     * Seeded: a checksum finished with its sequence number ({@link MessageChecksum#withSeq}) from one computed without
     * it ({@link MessageChecksum#withoutSeq}) is the checksum of the message, for both paths, payloads up to 20,000
     * bytes (beyond the cache of factors) and any sequence number, the extremes included.
     */
    @Test
    void finishedWithItsSequenceNumberIsTheChecksum() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("MessageChecksumTest seed " + seed + " (replay with -Dtether.seed=" + seed + ")");
        java.util.Random r = new java.util.Random(seed);
        long[] extremes = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE};
        for (int i = 0; i < 2_000; i++) {
            String lane = text(r, 1 + r.nextInt(64));
            Map<String, String> headers = new java.util.HashMap<>();
            int n = r.nextInt(4);
            for (int h = 0; h < n; h++)
                headers.put(text(r, 1 + r.nextInt(12)), text(r, r.nextInt(r.nextInt(10) == 0 ? 3000 : 20)));
            if (r.nextBoolean()) headers = Map.copyOf(headers);
            byte[] payload = new byte[r.nextInt(10) == 0 ? r.nextInt(20_000) : r.nextInt(200)];
            r.nextBytes(payload);
            long expiresAt = r.nextBoolean() ? 0 : r.nextLong();
            long without = MessageChecksum.withoutSeq(lane, expiresAt, headers, payload);
            assertThat(without >>> 32).as("the factor is never 0").isNotZero();
            for (long seq : new long[] {r.nextLong(), 1 + r.nextInt(1_000_000), extremes[i % extremes.length]}) {
                assertThat(MessageChecksum.withSeq(without, seq))
                        .as("seq %d, lane %s, headers %s, %d bytes (seed %d)", seq, lane, headers, payload.length, seed)
                        .isEqualTo(MessageChecksum.of(lane, seq, expiresAt, headers, payload));
            }
        }
    }

    /**
     * Checksums stored by earlier versions must still verify: values computed by the code before the single-header
     * path (main at f582a8f), for an endpoint's message, none, three headers and a non-ASCII lane and header.
     */
    @Test
    void matchesValuesComputedByEarlierVersions() {
        byte[] p = new byte[100];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 7);
        assertThat(MessageChecksum.of("_a.agent7", 42, 0, Map.of(":f", "agent3"), p))
                .isEqualTo(2_116_892_774L);
        assertThat(MessageChecksum.of("lane-1", 1, 1_700_000_000_123L, Map.of(), p))
                .isEqualTo(1_428_317_664L);
        assertThat(MessageChecksum.of("orders", Long.MAX_VALUE, 5, Map.of("b", "2", "a", "1", ":p", "7"), p))
                .isEqualTo(3_125_694_742L);
        assertThat(MessageChecksum.of("lané", 9, 0, Map.of("k", "välue"), p)).isEqualTo(3_964_859_588L);
    }

    /** Mostly ASCII, sometimes a character of two or three UTF-8 bytes. */
    private static String text(java.util.Random r, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int k = r.nextInt(40);
            b.append(k == 0 ? 'é' : k == 1 ? '€' : (char) ('!' + r.nextInt(94)));
        }
        return b.toString();
    }
}
