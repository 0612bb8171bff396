package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The lanes decoded lately ({@link LaneNames}): 10,000 lanes, as many as the streams of one busy peer, nearly all stay
 * known (a direct-mapped table of the same size, one slot per hash, kept 87% of them), and what is known is the lane
 * itself.
 */
class LaneNamesTest {
    private static final int LANES = 10_000;

    @Test
    void tenThousandLanesNearlyAllStayKnown() {
        String[] lanes = new String[LANES];
        for (int i = 0; i < LANES; i++) lanes[i] = LaneNames.remember("orders-" + i);
        int known = 0;
        for (String lane : lanes) {
            byte[] b = ("xx" + lane).getBytes(StandardCharsets.US_ASCII); // at an offset, as in a frame
            String found = LaneNames.known(b, 2, b.length - 2);
            if (found != null) {
                assertThat(found).isEqualTo(lane);
                known++;
            }
        }
        // Other tests of this JVM may evict a few.
        assertThat(known).as("lanes still known of %d", LANES).isGreaterThan(LANES * 9 / 10);
    }

    /**
     * A lane remembered again (a stream's lane, then the same lane decoded from a frame) is the string remembered
     * first and takes no second slot: three other lanes of its set still fit beside it.
     */
    @Test
    void aLaneRememberedTwiceTakesOneSlot() {
        String first = new String("twice-" + System.nanoTime());
        String again = new String(first);
        assertThat(LaneNames.remember(first)).isSameAs(first);
        assertThat(LaneNames.remember(again)).isSameAs(first);
        for (int i = 0; i < 20; i++)
            assertThat(LaneNames.remember(new String(first))).isSameAs(first);
        byte[] b = first.getBytes(StandardCharsets.US_ASCII);
        assertThat(LaneNames.known(b, 0, b.length)).isSameAs(first);
    }

    @Test
    void aLaneOfOtherBytesIsNotFound() {
        LaneNames.remember("alpha");
        assertThat(LaneNames.known("alpha".getBytes(StandardCharsets.US_ASCII), 0, 5))
                .isEqualTo("alpha");
        assertThat(LaneNames.known("alphb".getBytes(StandardCharsets.US_ASCII), 0, 5))
                .isNull();
        assertThat(LaneNames.known("alph".getBytes(StandardCharsets.US_ASCII), 0, 4))
                .isNull();
        byte[] high = "alpha".getBytes(StandardCharsets.US_ASCII);
        high[4] = (byte) 0xe1;
        assertThat(LaneNames.known(high, 0, 5)).isNull();
    }
}
