package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The pairing of two scenarios' rounds and what the pairs say, on scripted rounds (no timing involved). */
class PairedRoundsTest {
    private static Round round(double value, double cpu, String load) {
        return new Round(value, cpu, 1.0, load);
    }

    @Test
    void pairsRunInAbbaOrder() {
        assertThat(IntStream.range(0, 6).mapToObj(PairedRounds::bFirst))
                .containsExactly(false, true, false, true, false, true);
    }

    @Test
    void ratiosAreAOverBPerPairAndSumUpToMedianRangeAndVotes() {
        // the machine halves its speed after pair 2: both sides' figures move, the ratios do not
        PairedRounds p = new PairedRounds(
                List.of(
                        round(900, 1_800, "1"),
                        round(1_000, 2_000, "1"),
                        round(450, 4_400, "5"),
                        round(500, 4_000, "5")),
                List.of(
                        round(1_000, 2_000, "1"),
                        round(1_000, 2_000, "1"),
                        round(500, 4_000, "5"),
                        round(400, 5_000, "5")));

        assertThat(p.pairs()).isEqualTo(4);
        assertThat(p.cpuRatios()).containsExactly(0.9, 1.0, 1.1, 0.8);
        assertThat(p.valueRatios()).containsExactly(0.9, 1.0, 0.9, 1.25);
        RatioSummary cpu = p.cpu();
        assertThat(cpu.median()).isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(cpu.min()).isEqualTo(0.8);
        assertThat(cpu.max()).isEqualTo(1.1);
        // lower CPU favours a side: A in pairs 1 and 4, B in pair 3, pair 2 a tie
        assertThat(List.of(cpu.favourA(), cpu.favourB(), cpu.ties())).containsExactly(2, 1, 1);
        // as rates (higher is better) the figures favour A once, B twice; as durations the other way round
        RatioSummary rate = p.value(true);
        assertThat(List.of(rate.favourA(), rate.favourB(), rate.ties())).containsExactly(1, 2, 1);
        RatioSummary p50 = p.value(false);
        assertThat(List.of(p50.favourA(), p50.favourB(), p50.ties())).containsExactly(2, 1, 1);
        assertThat(cpu.text()).isEqualTo("median 0.950x (range 0.800x - 1.100x); 2 of 4 pairs favour A, 1 B, 1 tie");
    }

    @Test
    void eachPairsLineShowsItsOrderRatiosAndTheLoadsInTheOrderTheRoundsRan() {
        PairedRounds p = new PairedRounds(
                List.of(round(100, 3_000, "2.00"), round(100, 3_000, "4.00")),
                List.of(round(200, 1_500, "2.50"), round(100, 1_000, "3.50")));

        List<String> lines = p.lines(v -> "a" + (int) v, v -> "b" + (int) v, true);

        assertThat(lines)
                .containsExactly(
                        "pair 1 (A then B): A a100 at 3.00 µs/op, B b200 at 1.50 µs/op; A/B CPU 2.000x, figure"
                                + " 0.500x; load 2.00, 2.50",
                        "pair 2 (B then A): A a100 at 3.00 µs/op, B b100 at 1.00 µs/op; A/B CPU 3.000x, figure"
                                + " 1.000x; load 3.50, 4.00");
        assertThat(p.lines(v -> "a", v -> "b", false).get(0)).doesNotContain("figure");
    }

    @Test
    void pairsNeedAsManyRoundsOfEachSideAndAtLeastOne() {
        assertThatThrownBy(() -> new PairedRounds(List.of(round(1, 1, "0")), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PairedRounds(List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RatioSummary.of(new double[0], true)).isInstanceOf(IllegalArgumentException.class);
    }
}
