package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import org.junit.jupiter.api.Test;

/**
 * {@link DataRoundTrip}: the timeout follows the measured round trip (RFC 6298), never below the configured first
 * timeout nor above the cap; Karn's rule (a frame whose stream went back is not measured) and the back-off.
 */
class DataRoundTripTest {
    private static final long MIN = 200;
    private static final long MAX = 5_000;
    private final TimerQueue<OutStream> timers = new TimerQueue<>();
    private final OutStream a = new OutStream(new StreamKey(NodeId.of("b"), "a"), 0, 0, null, timers);
    private final OutStream b = new OutStream(new StreamKey(NodeId.of("b"), "b"), 0, 0, null, timers);

    @Test
    void theTimeoutIsTheConfiguredOneUntilARoundTripIsMeasuredThenFollowsIt() {
        DataRoundTrip rt = new DataRoundTrip();
        assertThat(rt.rto(MIN, MAX)).isEqualTo(MIN);
        rt.transmitted(1_000, a, 5);
        rt.transmitted(1_010, b, 7); // one frame timed at a time
        rt.acked(1_500, b, 7, 7);
        rt.acked(1_500, a, 4, 4); // does not confirm the timed frame
        assertThat(rt.rto(MIN, MAX)).isEqualTo(MIN);
        rt.acked(1_600, a, 5, 0); // 600 ms: srtt 600, rttvar 300
        assertThat(rt.rto(MIN, MAX)).isEqualTo(600 + 4 * 300);
        for (int i = 0; i < 50; i++) { // a steady 600 ms: the variation decays
            rt.transmitted(2_000 + i * 1_000, b, 10 + i);
            rt.acked(2_600 + i * 1_000, b, 10 + i, 10 + i);
        }
        assertThat(rt.rto(MIN, MAX)).isBetween(600L, 610L);
        for (int i = 0; i < 50; i++) { // a 10 ms round trip: the configured timeout stays the floor
            rt.transmitted(60_000 + i * 100, b, 100 + i);
            rt.acked(60_010 + i * 100, b, 100 + i, 0);
        }
        assertThat(rt.rto(MIN, MAX)).isEqualTo(MIN);
        for (int i = 0; i < 50; i++) {
            rt.transmitted(70_000 + i * 20_000, b, 200 + i);
            rt.acked(80_000 + i * 20_000, b, 200 + i, 0);
        }
        assertThat(rt.rto(MIN, MAX)).isEqualTo(MAX);
    }

    @Test
    void aFrameWhoseStreamWentBackIsNotMeasuredAndATimeoutBacksOffUntilOneIs() {
        DataRoundTrip rt = new DataRoundTrip();
        rt.transmitted(0, a, 1);
        rt.goesBack(b, true, MIN, MAX); // another stream: the timing stands, no back-off
        assertThat(rt.rto(MIN, MAX)).isEqualTo(MIN);
        rt.goesBack(a, true, MIN, MAX); // its timer fired: the ACK may confirm the retransmission
        assertThat(rt.rto(MIN, MAX)).isEqualTo(2 * MIN);
        rt.acked(900, a, 1, 1);
        assertThat(rt.rto(MIN, MAX)).as("not measured, still backed off").isEqualTo(2 * MIN);
        rt.transmitted(1_000, a, 2);
        rt.goesBack(a, true, MIN, MAX);
        assertThat(rt.rto(MIN, MAX)).isEqualTo(4 * MIN);
        rt.transmitted(2_000, a, 3);
        rt.goesBack(a, false, MIN, MAX); // a RESEND: not measured, no back-off
        rt.acked(2_900, a, 3, 3);
        assertThat(rt.rto(MIN, MAX)).isEqualTo(4 * MIN);
        rt.transmitted(3_000, b, 1);
        rt.connectionEnded();
        rt.acked(3_900, b, 1, 1);
        assertThat(rt.rto(MIN, MAX)).isEqualTo(4 * MIN);
        rt.transmitted(4_000, b, 2);
        rt.acked(4_300, b, 2, 2); // measured: the back-off ends
        assertThat(rt.rto(MIN, MAX)).isEqualTo(300 + 4 * 150);
        for (int i = 0; i < 10; i++) {
            rt.transmitted(5_000 + i, a, 10 + i);
            rt.goesBack(a, true, MIN, MAX);
        }
        assertThat(rt.rto(MIN, MAX)).as("backed off up to the cap").isEqualTo(MAX);
    }

    @Test
    void aFrameNeverConfirmedIsGivenUpSoAnotherIsTimed() {
        DataRoundTrip rt = new DataRoundTrip();
        rt.transmitted(0, a, 1); // its stream removed: no ACK, never sent again
        rt.transmitted(DataRoundTrip.STALE_MILLIS - 1, b, 1);
        rt.acked(DataRoundTrip.STALE_MILLIS + 100, b, 1, 1);
        assertThat(rt.rto(MIN, MAX)).isEqualTo(MIN);
        rt.transmitted(DataRoundTrip.STALE_MILLIS + 200, b, 2);
        rt.acked(DataRoundTrip.STALE_MILLIS + 700, b, 2, 2);
        assertThat(rt.rto(MIN, MAX)).isEqualTo(500 + 4 * 250);
    }
}
