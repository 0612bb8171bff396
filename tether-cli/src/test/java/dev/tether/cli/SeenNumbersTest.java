package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The chat's ranges of seen sequence numbers against a plain set, on seeded random orders. */
class SeenNumbersTest {
    @Test
    void numbersInOrderAreOneRange() {
        SeenNumbers s = new SeenNumbers();
        for (long n = 1; n <= 10_000; n++) assertThat(s.add(n)).isTrue();
        assertThat(s.add(5_000)).as("a redelivery").isFalse();
        assertThat(s.ranges()).isEqualTo(1);
    }

    @Test
    void aGapIsARangeUntilItIsFilled() {
        SeenNumbers s = new SeenNumbers();
        s.add(1);
        s.add(2);
        s.add(5);
        assertThat(s.ranges()).isEqualTo(2);
        assertThat(s.contains(3)).isFalse();
        assertThat(s.add(4)).isTrue();
        assertThat(s.add(3)).isTrue();
        assertThat(s.ranges()).isEqualTo(1);
        assertThat(s.add(Long.MAX_VALUE)).isTrue();
        assertThat(s.contains(Long.MAX_VALUE)).isTrue();
    }

    @Test
    void agreesWithASetOnRandomNumbers() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("SeenNumbersTest seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            SeenNumbers s = new SeenNumbers();
            Set<Long> expected = new HashSet<>();
            int span = 1 + random.nextInt(100);
            for (int i = 0; i < 300; i++) {
                long n = random.nextInt(span);
                assertThat(s.add(n)).as("seed %d, add %d", seed, n).isEqualTo(expected.add(n));
                long probe = random.nextInt(span);
                assertThat(s.contains(probe))
                        .as("seed %d, contains %d", seed, probe)
                        .isEqualTo(expected.contains(probe));
            }
            assertThat(s.ranges()).as("seed %d", seed).isEqualTo(ranges(expected));
        }
    }

    private static long ranges(Set<Long> numbers) {
        return numbers.stream().filter(n -> !numbers.contains(n - 1)).count();
    }
}
