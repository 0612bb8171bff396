package dev.tether.bench.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.bench.measure.PairedRounds;
import org.junit.jupiter.api.Test;

/**
 * A paired run at the tiny {@code --quick} sizes with real child JVMs: both sides set up once, warmed up, measured in
 * alternation for every pair, every round trip counted. No timing is asserted.
 */
class PairedRunSmokeTest {
    @Test
    void bothSidesRunEveryPairWithTheirChildrenUpThroughout() throws Exception {
        PairedOptions p = PairedOptions.parse("--quick", "--repeat", "3", "--paired", "tcp-roundtrip,socket-pingpong");

        PairedRun.Outcome out = PairedRun.run(p);

        assertThat(out.results()).extracting(ScenarioResult::id).containsExactly("tcp-roundtrip", "socket-pingpong");
        for (ScenarioResult r : out.results()) {
            assertThat(r.counted()).as(r.id()).isEqualTo(r.expected()).isPositive();
            assertThat(r.rounds()).as(r.id()).hasSize(3);
            assertThat(r.cpuPerMessage()).as(r.id()).isPositive();
        }
        PairedRounds pairs = out.pairs();
        assertThat(pairs.pairs()).isEqualTo(3);
        assertThat(pairs.a())
                .containsExactlyElementsOf(out.results().get(0).series().measured());
        assertThat(pairs.b())
                .containsExactlyElementsOf(out.results().get(1).series().measured());
        assertThat(out.sameKind()).isTrue();
        assertThat(out.higherIsBetter()).isFalse();
        assertThat(PairedRun.text(out))
                .contains("A/B CPU per op: median")
                .contains("A/B round-trip p50: median")
                .contains("pair 2 (B then A)");
        // every child JVM of both sides has been stopped
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
    }

    @Test
    void aSideThatFailsToSetUpFailsTheRunAndStopsTheOther() {
        PairedOptions p = PairedOptions.parse(
                "--quick", "--paired", "socket-pingpong,tcp-roundtrip:child-jvm-arg=-XX:+NoSuchOption");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PairedRun.run(p))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("B (tcp-roundtrip");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
    }
}
