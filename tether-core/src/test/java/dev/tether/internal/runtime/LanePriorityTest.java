package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Priority;
import dev.tether.node.TetherConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The priority model at the sender: levels, the message's own level, the lane's by glob, and the {@code :p} header. */
class LanePriorityTest {
    private static final List<LanePriority> RULES =
            List.of(new LanePriority("alerts*", 7), new LanePriority("*", 1), new LanePriority("_a.boss*", 6));

    @Test
    void levelsOutsideZeroToSevenAreRefused() {
        OutboundMessage.Builder b = OutboundMessage.to(NodeId.of("b"));
        assertThatThrownBy(() -> b.priority(8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.priority(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.build().priority()).isEmpty();
        assertThat(b.priority(0).build().priority()).hasValue(0);
        assertThat(b.priority(7).build().priority()).hasValue(7);
        assertThat(b.build().headers()).doesNotContainKey(Priority.HEADER);
        TetherConfig.Builder c = TetherConfig.builder(NodeId.of("a"));
        assertThatThrownBy(() -> c.lanePriority("x", 9))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("0 (lowest) to 7");
        assertThatThrownBy(() -> c.lanePriority("", 3)).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> b.header(Priority.HEADER, "7")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFirstMatchingLaneRuleGivesTheLevel() {
        assertThat(LanePriority.levelOf(RULES, "alerts.disk")).isEqualTo(7);
        assertThat(LanePriority.levelOf(RULES, "_v.alerts.disk")).isEqualTo(7); // volatile: by its lane
        assertThat(LanePriority.levelOf(RULES, "bulk")).isEqualTo(1);
        assertThat(LanePriority.levelOf(RULES, "_reply")).isEqualTo(Priority.DEFAULT); // Tether's own lanes: never
        assertThat(LanePriority.levelOf(RULES, "_a.boss")).isEqualTo(6); // endpoints: by their lane
        assertThat(LanePriority.levelOf(List.of(), "alerts")).isEqualTo(Priority.DEFAULT);
    }

    @Test
    void theHeaderCarriesTheLevelOnlyWhenItIsNotTheDefault() {
        assertThat(LanePriority.apply(RULES, "alerts", Map.of())).containsExactly(Map.entry(":p", "7"));
        assertThat(LanePriority.apply(RULES, "_reply", Map.of("k", "v"))).containsExactly(Map.entry("k", "v"));
        // the message's own level wins over its lane's, and an explicit 4 travels as no header
        assertThat(LanePriority.apply(RULES, "alerts", Map.of(":p", "2"))).containsExactly(Map.entry(":p", "2"));
        assertThat(LanePriority.apply(RULES, "alerts", Map.of(":p", "4", "k", "v")))
                .containsExactly(Map.entry("k", "v"));
        assertThat(LanePriority.apply(List.of(new LanePriority("*", 4)), "x", Map.of()))
                .isEmpty();
    }

    @Test
    void headerValuesAreOneDigitZeroToSeven() {
        for (int l = 0; l < 8; l++)
            assertThat(Priority.parse(Priority.digit(l))).isEqualTo(l);
        for (String bad : new String[] {null, "", "8", "9", "-1", "44", "a", " 4"}) {
            assertThat(Priority.parse(bad)).as(String.valueOf(bad)).isEqualTo(-1);
        }
    }
}
