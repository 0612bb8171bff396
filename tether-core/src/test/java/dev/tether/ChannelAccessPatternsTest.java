package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelAccessPatternsTest {
    @Test
    void patternsMatchWholeIdsWithStarsForAnyRun() {
        assertThat(ChannelAccess.matches("a", "a")).isTrue();
        assertThat(ChannelAccess.matches("a", "ab")).isFalse();
        assertThat(ChannelAccess.matches("sensor-*", "sensor-17")).isTrue();
        assertThat(ChannelAccess.matches("sensor-*", "sensor-")).isTrue();
        assertThat(ChannelAccess.matches("sensor-*", "sensors")).isFalse();
        assertThat(ChannelAccess.matches("*-eu-*", "node-eu-3")).isTrue();
        assertThat(ChannelAccess.matches("*-eu-*", "node-us-3")).isFalse();
        assertThat(ChannelAccess.matches("*", "anything")).isTrue();
        assertThat(ChannelAccess.matches("a*b*c", "aXbYbZc")).isTrue();
        assertThat(ChannelAccess.matches("a*b*c", "aXbYbZ")).isFalse();
    }

    @Test
    void emptyListsAllowEveryoneAndRolesNeedTheirLists() {
        ChannelAccess a = ChannelAccess.anyone().withWriters("w");
        NodeId w = NodeId.of("w");
        NodeId r = NodeId.of("r");
        assertThat(a.mayRead(r)).isTrue();
        assertThat(a.mayWrite(r)).isFalse();
        assertThat(a.mayJoin(r, ChannelRole.READ)).isTrue();
        assertThat(a.mayJoin(r, ChannelRole.READ_WRITE)).isFalse();
        assertThat(a.mayJoin(w, ChannelRole.READ_WRITE)).isTrue();
    }

    @Test
    void invalidPatternsAreRefused() {
        assertThatThrownBy(() -> ChannelAccess.anyone().withReaders("no spaces"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid reader pattern 'no spaces'");
        assertThatThrownBy(() -> new ChannelAccess(List.of(""), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChannelAccess.anyone().withWriters("x".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
