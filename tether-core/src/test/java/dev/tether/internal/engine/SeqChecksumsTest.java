package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.spi.MessageChecksum;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SeqChecksums} finishes a checksum as {@link MessageChecksum#withSeq} does, by table or not. */
class SeqChecksumsTest {
    private static final long[] EXTREMES = {0, 1, 255, 256, 65_535, -1, Long.MAX_VALUE, Long.MIN_VALUE};

    /**
     * Seeded: messages of 40 sizes (so factors share slots and replace each other's tables), each sent in a burst long
     * enough for its table to be built, then all of them mixed: every value is {@code withSeq}'s, which is the checksum
     * of the message with that sequence number; tables were built and used.
     */
    @Test
    void finishesAsMessageChecksumDoesWithAndWithoutTables() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("SeqChecksumsTest seed " + seed + " (replay with -Dtether.seed=" + seed + ")");
        Random r = new Random(seed);
        SeqChecksums c = new SeqChecksums();
        long[] without = new long[40];
        byte[][] payloads = new byte[without.length][];
        for (int i = 0; i < without.length; i++) {
            payloads[i] = new byte[i * 37 + r.nextInt(30)];
            r.nextBytes(payloads[i]);
            without[i] = MessageChecksum.withoutSeq("_e/agent", 0, Map.of(":f", "agent-" + i), payloads[i]);
        }
        for (int i = 0; i < without.length; i++) {
            for (int n = 0; n < 2 * SeqChecksums.BUILD_AFTER + 8; n++) check(c, without[i], seq(r, n), seed);
        }
        assertThat(c.built()).as("a table per size sent in a burst").isEqualTo(without.length);
        for (int n = 0; n < 20_000; n++) check(c, without[r.nextInt(without.length)], seq(r, n), seed);
        int i = 7; // one message's checksum, in full, from the table's value
        long seq = 1 + r.nextInt(1_000_000);
        assertThat(c.withSeq(without[i], seq))
                .isEqualTo(MessageChecksum.of("_e/agent", seq, 0, Map.of(":f", "agent-" + i), payloads[i]));
    }

    @Test
    void refusesWhatIsNotAValueOfWithoutSeqAsMessageChecksumDoes() {
        SeqChecksums c = new SeqChecksums();
        for (int n = 0; n < 2 * SeqChecksums.BUILD_AFTER; n++) {
            assertThatThrownBy(() -> c.withSeq(0x1234, 5)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(c.built()).isZero();
    }

    private static long seq(Random r, int n) {
        return switch (n % 4) {
            case 0 -> EXTREMES[(n / 4) % EXTREMES.length];
            case 1 -> r.nextLong();
            default -> 1 + r.nextInt(1 << (1 + r.nextInt(30)));
        };
    }

    private static void check(SeqChecksums c, long without, long seq, long seed) {
        assertThat(c.withSeq(without, seq))
                .as("seq %d, factor %x (seed %d)", seq, without >>> 32, seed)
                .isEqualTo(MessageChecksum.withSeq(without, seq));
    }
}
