package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bounds of the dead-letter queue: defaults, and each value out of range refused with what it was. */
class DeadLetterLimitsValidationTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        DeadLetterLimits d = TetherConfig.builder(NodeId.of("a"))
                .transport(new InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build()
                .deadLetters();
        assertThat(d).isEqualTo(DeadLetterLimits.DEFAULT);
        assertThat(d.maxCount()).isEqualTo(100_000);
        assertThat(d.maxBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(d.maxAge()).isEqualTo(Duration.ofDays(30));
        assertThat(d.whenFull()).isEqualTo(DeadLetterLimits.WhenFull.DROP_OLDEST);
    }

    @Test
    void ofAndWhenFullBuildTheBounds() {
        DeadLetterLimits l =
                DeadLetterLimits.of(10, 2048, Duration.ofHours(2)).whenFull(DeadLetterLimits.WhenFull.REFUSE);
        assertThat(l).isEqualTo(new DeadLetterLimits(10, 2048, Duration.ofHours(2), DeadLetterLimits.WhenFull.REFUSE));
        assertThat(l.maxAgeMillis()).isEqualTo(7_200_000);
        assertThat(DeadLetterLimits.of(DeadLetterLimits.MAX_COUNT, 1, Duration.ofSeconds(1))
                        .maxCount())
                .isEqualTo(10_000_000);
        assertThat(DeadLetterLimits.of(1, Long.MAX_VALUE, Duration.ofDays(36_500))
                        .maxBytes())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void valuesOutOfRangeAreRefusedNamingTheValue() {
        Duration day = Duration.ofDays(1);
        assertThatThrownBy(() -> DeadLetterLimits.of(0, 1, day))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("deadLetters maxCount must be between 1 and 10000000, was 0");
        assertThatThrownBy(() -> DeadLetterLimits.of(10_000_001, 1, day))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("was 10000001");
        assertThatThrownBy(() -> DeadLetterLimits.of(1, 0, day))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("deadLetters maxBytes must be >= 1, was 0");
        assertThatThrownBy(() -> DeadLetterLimits.of(1, -5, day))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("was -5");
        assertThatThrownBy(() -> DeadLetterLimits.of(1, 1, Duration.ofMillis(999)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("deadLetters maxAge must be between 1 s and 36500 days, was PT0.999S");
        assertThatThrownBy(() -> DeadLetterLimits.of(1, 1, Duration.ofDays(36_501)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("was PT876024H");
        assertThatThrownBy(() -> DeadLetterLimits.of(1, 1, Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> DeadLetterLimits.of(1, 1, null))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("was null");
        assertThatThrownBy(() -> DeadLetterLimits.of(1, 1, day).whenFull(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("policy");
        assertThatThrownBy(() -> TetherConfig.builder(NodeId.of("a")).deadLetters(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("deadLetters");
    }
}
