package dev.tether.internal.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link SeqRing} keeps every value in place when it grows with its values wrapped around the end of its array. */
class SeqRingGrowTest {
    @Test
    void growingAWrappedRingKeepsEveryValueAtItsSequenceNumber() {
        for (int removed = 0; removed <= 16; removed++) {
            SeqRing<Long> ring = new SeqRing<>();
            long seq = 1;
            for (int i = 0; i < 16; i++, seq++) ring.add(seq, seq);
            ring.removeUpTo(removed); // the head moves: the next adds wrap around the array's end
            for (int i = 0; i < 100; i++, seq++) ring.add(seq, seq);
            assertThat(ring.size()).isEqualTo(116 - removed);
            for (long s = removed + 1; s < seq; s++)
                assertThat(ring.get(s)).as("seq %d, %d removed", s, removed).isEqualTo(s);
            assertThat(ring.get(removed)).isNull();
            assertThat(ring.get(seq)).isNull();
        }
    }
}
