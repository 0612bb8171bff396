package dev.tether.internal.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@link SeqSet} answers as a {@code TreeSet<Long>} would, empty (nothing allocated) or not. */
class SeqSetTest {
    @Test
    void anEmptySetAnswersWithoutATree() {
        SeqSet s = new SeqSet();
        assertThat(s.isEmpty()).isTrue();
        assertThat(s.size()).isZero();
        assertThat(s.contains(1)).isFalse();
        assertThat(s.remove(1)).isFalse();
        assertThat(s.above(0)).isEmpty();
        s.removeUpTo(10);
        s.removeAbove(0);
        assertThatThrownBy(s::first).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(s::pollFirst).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void randomOperationsMatchATreeSet() {
        long seed = System.nanoTime();
        System.out.println("SeqSetTest seed " + seed);
        Random rnd = new Random(seed);
        SeqSet s = new SeqSet();
        TreeSet<Long> model = new TreeSet<>();
        for (int i = 0; i < 20_000; i++) {
            long x = rnd.nextInt(200);
            switch (rnd.nextInt(7)) {
                case 0, 1 -> assertThat(s.add(x)).as("seed %d", seed).isEqualTo(model.add(x));
                case 2 -> assertThat(s.remove(x)).as("seed %d", seed).isEqualTo(model.remove(x));
                case 3 -> {
                    s.removeUpTo(x);
                    model.headSet(x, true).clear();
                }
                case 4 -> {
                    s.removeAbove(x + 100);
                    model.tailSet(x + 100, false).clear();
                }
                case 5 -> {
                    if (!model.isEmpty())
                        assertThat(s.pollFirst()).as("seed %d", seed).isEqualTo(model.pollFirst());
                }
                default -> {
                    if (rnd.nextInt(100) == 0) {
                        s.clear();
                        model.clear();
                    }
                }
            }
            assertThat(s.size()).as("seed %d", seed).isEqualTo(model.size());
            assertThat(s.contains(x)).as("seed %d", seed).isEqualTo(model.contains(x));
            if (!model.isEmpty()) assertThat(s.first()).isEqualTo(model.first());
            if (i % 1000 == 0) assertThat(s.above(x)).containsExactlyElementsOf(model.tailSet(x, false));
        }
    }
}
