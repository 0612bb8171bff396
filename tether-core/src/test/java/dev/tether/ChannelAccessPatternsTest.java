package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tether.internal.runtime.Glob;
import java.time.Duration;
import java.util.List;
import java.util.Random;
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

    /**
     * A pattern of many stars against a long id the pattern almost matches: the recursive matcher tried every split
     * of the id per star (C(64, 10) ways here, hours on the node thread, which checks every channel message). The bound
     * is far beyond what a linear match takes (GlobTest counts its steps); it only keeps a regression from hanging.
     */
    @Test
    void aPatternOfManyStarsAgainstAHostileIdIsMatchedInLinearTime() {
        ChannelAccess a = ChannelAccess.anyone().withReaders("*a*a*a*a*a*a*a*a*a*a*b");
        NodeId hostile = NodeId.of("a".repeat(NodeId.MAX_LENGTH));
        assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> assertThat(a.mayRead(hostile)).isFalse());
        assertThat(a.mayRead(NodeId.of("a".repeat(20) + "b"))).isTrue();
    }

    @Test
    void matchesAsTheRuntimesGlobOnRandomInputs() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("ChannelAccessPatternsTest seed " + seed);
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            String pattern = random(r, "ab*", r.nextInt(8));
            String id = random(r, "ab", r.nextInt(10));
            assertThat(ChannelAccess.matches(pattern, id))
                    .as("'%s' against '%s' (seed %d)", pattern, id, seed)
                    .isEqualTo(Glob.matches(pattern, id));
        }
    }

    private static String random(Random r, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return b.toString();
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
