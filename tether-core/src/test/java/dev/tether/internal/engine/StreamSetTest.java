package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The streams' sets kept as bits in the streams: ordered, without duplicates, independent of each other. */
class StreamSetTest {
    private static final class M implements StreamSet.Member {
        final String name;
        int marks;

        M(String name) {
            this.name = name;
        }

        @Override
        public int marks() {
            return marks;
        }

        @Override
        public void marks(int marks) {
            this.marks = marks;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @Test
    void keepsInsertionOrderWithoutDuplicatesAndEmptiesOnDrain() {
        StreamSet<M> set = new StreamSet<>(1);
        M a = new M("a"), b = new M("b"), c = new M("c");
        assertThat(set.add(b)).isTrue();
        assertThat(set.add(a)).isTrue();
        assertThat(set.add(b)).isFalse(); // keeps its place
        set.add(c);
        assertThat(set.contains(a)).isTrue();
        assertThat(set.drain()).containsExactly(b, a, c);
        assertThat(set.isEmpty()).isTrue();
        assertThat(set.contains(a)).isFalse();
        assertThat(set.drain()).isEmpty();
    }

    @Test
    void aStreamAddedWhileTheDrainedOnesAreWorkedThroughIsAMemberAgain() {
        StreamSet<M> set = new StreamSet<>(2);
        M a = new M("a"), b = new M("b");
        set.add(a);
        set.add(b);
        for (M m : set.drain()) set.add(a); // as serving a stream may mark it again
        assertThat(set.drain()).containsExactly(a);
    }

    @Test
    void pollTakesTheOldestAndSetsOfTheSameStreamsAreIndependent() {
        StreamSet<M> one = new StreamSet<>(1);
        StreamSet<M> two = new StreamSet<>(4);
        M a = new M("a"), b = new M("b");
        one.add(a);
        one.add(b);
        two.add(b);
        assertThat(one.poll()).isSameAs(a);
        assertThat(two.contains(b)).isTrue();
        assertThat(one.poll()).isSameAs(b);
        assertThat(one.poll()).isNull();
        assertThat(two.contains(b)).isTrue();
        assertThat(b.marks).isEqualTo(4);
        assertThatThrownBy(() -> new StreamSet<M>(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
