package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Steady's warm-up rule fed one round at a time, as a paired run alternates two warm-ups (no timing involved). */
class WarmUpRoundsTest {
    private static Round round(double value) {
        return new Round(value, 1_000, 1.0, "0.5");
    }

    @Test
    void overOnceTwoConsecutiveRoundsDifferByLessThanTenPercent() {
        WarmUpRounds w = new WarmUpRounds(6);

        assertThat(w.nextName()).isEqualTo("cold round");
        assertThat(w.add(round(344e3))).isFalse();
        assertThat(w.nextName()).isEqualTo("warm-up 2");
        assertThat(w.add(round(452e3))).isFalse();
        assertThat(w.add(round(1_179e3))).isFalse();
        assertThat(w.add(round(1_150e3))).isTrue();

        assertThat(w.warmUp().steady()).isTrue();
        assertThat(w.warmUp().rounds()).extracting(Round::value).containsExactly(344e3, 452e3, 1_179e3, 1_150e3);
        assertThatThrownBy(() -> w.add(round(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void overAtTheCapWhenNeverSteady() {
        WarmUpRounds w = new WarmUpRounds(3);

        assertThat(w.add(round(1))).isFalse();
        assertThat(w.add(round(2))).isFalse();
        assertThat(w.add(round(4))).isTrue();

        assertThat(w.warmUp().steady()).isFalse();
        assertThat(w.warmUp().text()).startsWith("NOT steady after 3 warm-up rounds");
    }
}
