package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a phase's probes are split into collector pauses and the rest, on scripted pauses (no collector involved). */
class PausedProbesTest {
    private static final long MS = 1_000_000;

    private static GcPauses.Pause pause(long fromMs, long toMs) {
        return new GcPauses.Pause("G1 Young Generation", fromMs * MS, toMs * MS);
    }

    @Test
    void aProbeInFlightDuringAPauseLosesTheOverlapFromItsLatency() {
        // phase 0-100 ms; a pause 40-60 ms and one ending before the phase; probes every 10 ms, 5 ms each, except the
        // one sent at 30 ms, which waited 35 ms (until 65 ms): 20 ms of it the pause
        long[] sent = new long[10];
        long[] latency = new long[10];
        for (int i = 0; i < 10; i++) {
            sent[i] = i * 10 * MS;
            latency[i] = 5 * MS;
        }
        latency[3] = 35 * MS;
        latency[4] = 21 * MS; // sent at 40: held 20 ms, 1 ms of its own; the one at 50 is within the pause

        PausedProbes p = PausedProbes.of(List.of(pause(-30, -10), pause(40, 60)), 0, 100 * MS, sent, latency);

        assertThat(p.pauses()).isEqualTo(1);
        assertThat(p.pauseNanos()).isEqualTo(20 * MS);
        assertThat(p.longestNanos()).isEqualTo(20 * MS);
        assertThat(p.probesHeld()).isEqualTo(3);
        assertThat(p.p99Nanos()).isEqualTo(35 * MS);
        assertThat(p.p99WithoutPausesNanos()).isEqualTo(15 * MS);
    }

    @Test
    void aPauseAtThePhasesEdgeCountsOnlyWithinThePhase() {
        PausedProbes p =
                PausedProbes.of(List.of(pause(90, 130)), 0, 100 * MS, new long[] {95 * MS}, new long[] {40 * MS});

        assertThat(p.pauses()).isEqualTo(1);
        assertThat(p.pauseNanos()).isEqualTo(10 * MS);
        assertThat(p.longestNanos()).isEqualTo(40 * MS);
        assertThat(p.p99WithoutPausesNanos()).isEqualTo(5 * MS);
    }

    @Test
    void concurrentCyclesAreNotPauses() {
        assertThat(GcPauses.pauses("ZGC Cycles")).isFalse();
        assertThat(GcPauses.pauses("Shenandoah Cycles")).isFalse();
        assertThat(GcPauses.pauses("ZGC Pauses")).isTrue();
        assertThat(GcPauses.pauses("G1 Young Generation")).isTrue();
        assertThat(GcPauses.pauses("PS Scavenge")).isTrue();
    }
}
