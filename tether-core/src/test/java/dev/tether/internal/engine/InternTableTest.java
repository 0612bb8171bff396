package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The table under {@link LaneNames} and {@link HeaderMaps}: entries fill their set, then replace its slots in turn. */
class InternTableTest {
    /**
     * A full set's slots are replaced in turn, not the one slot of the newcomer's hash: entries the hash would never pick
     * (names no longer used) go too.
     */
    @Test
    void entriesOfOneSetFillItThenAreReplacedInTurn() {
        InternTable<String> t = new InternTable<>(64);
        int h = 2;
        int set = t.set(h);
        assertThat(set % InternTable.WAYS).isZero();
        for (String e : new String[] {"a", "b", "c", "d"}) t.put(h, e);
        assertThat(slotsOf(t, set)).containsExactly("a", "b", "c", "d");
        t.put(h, "e");
        t.put(h, "f");
        assertThat(slotsOf(t, set)).containsExactly("e", "f", "c", "d");
        t.put(h, "g");
        t.put(h, "h");
        assertThat(slotsOf(t, set))
                .as("the same hash four times: every slot replaced")
                .containsExactly("e", "f", "g", "h");
    }

    private static String[] slotsOf(InternTable<String> t, int set) {
        return new String[] {t.at(set), t.at(set + 1), t.at(set + 2), t.at(set + 3)};
    }

    @Test
    void closeHashesSpreadOverTheTable() {
        InternTable<String> t = new InternTable<>(1 << 12);
        Set<Integer> sets = new HashSet<>();
        for (int h = 0; h < 256; h++) sets.add(t.set(h));
        assertThat(sets).as("sets of 256 consecutive hashes").hasSizeGreaterThan(200);
    }

    @Test
    void anAsciiStringEqualsItsBytesOnly() {
        byte[] b = "xxlane".getBytes(StandardCharsets.US_ASCII);
        assertThat(InternTable.equal("lane", b, 2, 4)).isTrue();
        assertThat(InternTable.equal("lane", b, 1, 4)).isFalse();
        assertThat(InternTable.equal("lan", b, 2, 4)).isFalse();
        assertThat(InternTable.equal("l\u00e1ne", new byte[] {'l', (byte) 0xe1, 'n', 'e'}, 0, 4))
                .as("a byte above 0x7f")
                .isFalse();
    }

    @Test
    void aTableIsAPowerOfTwoOfSets() {
        assertThatThrownBy(() -> new InternTable<String>(48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InternTable<String>(2)).isInstanceOf(IllegalArgumentException.class);
    }
}
