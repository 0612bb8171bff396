package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up rule and the statistics every bench reports, on scripted rounds (no timing involved). */
class SteadyTest {
    @TempDir
    Path dir;

    private static Steady.RoundSource script(double... values) {
        Iterator<Double> it = java.util.Arrays.stream(values).boxed().iterator();
        return () -> new Round(it.next(), 1_000, 1.0, "0.5");
    }

    @Test
    void warmUpRunsUntilTwoConsecutiveRoundsDifferByLessThanTenPercent() throws Exception {
        // issue 14's quiet-machine rounds: 344k, 452k, 1,179k, then steady
        Series s = Steady.run(
                "t",
                6,
                5,
                Steady::rate,
                script(344e3, 452e3, 1_179e3, 1_150e3, 1_100e3, 1_200e3, 1_000e3, 1_300e3, 1_250e3));

        assertThat(s.warmUp().rounds()).extracting(Round::value).containsExactly(344e3, 452e3, 1_179e3, 1_150e3);
        assertThat(s.warmUp().steady()).isTrue();
        assertThat(s.warmUp().cold().value()).isEqualTo(344e3);
        assertThat(s.values()).containsExactly(1_100e3, 1_200e3, 1_000e3, 1_300e3, 1_250e3);
        assertThat(s.median()).isEqualTo(1_200e3);
        assertThat(s.min()).isEqualTo(1_000e3);
        assertThat(s.max()).isEqualTo(1_300e3);
        assertThat(s.iqr()).containsExactly(1_100e3, 1_250e3);
    }

    @Test
    void warmUpStopsAtItsCapAndSaysItWasNotSteady() throws Exception {
        Series s = Steady.run("t", 3, 2, Steady::rate, script(1, 2, 4, 8, 16));

        assertThat(s.warmUp().rounds()).hasSize(3);
        assertThat(s.warmUp().steady()).isFalse();
        assertThat(s.warmUp().text()).startsWith("NOT steady after 3 warm-up rounds");
        assertThat(s.values()).containsExactly(8, 16);
    }

    @Test
    void aColdRoundAloneIsNeverSteadyAndTheFirstCloseRoundEndsTheWarmUp() throws Exception {
        WarmUp w = Steady.warmUp("t", 6, Steady::rate, script(100, 105));

        assertThat(w.rounds()).hasSize(2);
        assertThat(w.steady()).isTrue();
        assertThat(Steady.close(100, 110.9)).isTrue();
        assertThat(Steady.close(100, 111.2)).isFalse();
    }

    @Test
    void badCountsAreRefused() {
        assertThatThrownBy(() -> Steady.run("t", 0, 5, Steady::rate, script(1))).hasMessageContaining("maxWarmUp");
        assertThatThrownBy(() -> Steady.run("t", 2, 0, Steady::rate, script(1, 1)))
                .hasMessageContaining("repeat");
    }

    @Test
    void statsUseTheTrueMedianAndInterpolatedQuartiles() {
        assertThat(Stats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Stats.quantile(new double[] {10, 20, 30, 40, 50}, 0.25)).isEqualTo(20);
        assertThat(Stats.percentile(new long[] {5, 1, 9}, 1.0)).isEqualTo(9);
        assertThat(Stats.median(new double[0])).isNaN();
    }

    @Test
    void summaryRowsAreAppendedAsMarkdownLines() throws Exception {
        Series s = Steady.run("t", 2, 5, Steady::rate, script(95, 100, 100, 110, 120, 130, 140));
        Path file = dir.resolve("rows.md");

        SummaryRow.append(
                file,
                List.of(new SummaryRow(
                        "t >= 1",
                        SummaryRow.rateFigure(s, "msg/s"),
                        s.cpuMedian(),
                        "-",
                        "-",
                        "met",
                        s.loadText(),
                        "scripts/bench x")));
        SummaryRow.append(file, List.of(new SummaryRow("u", "f", Double.NaN, "-", "-", "met", "l", "c")));

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .startsWith("| t >= 1 | **120 msg/s** (100-140; cold 95; steady after 2 warm-up rounds")
                .contains("| 1.00 µs |", "`scripts/bench x`");
        assertThat(lines.get(1)).contains("| - |");
    }
}
