package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A closer closes what was added, the last first, each one once, all of them even when some fail. */
class CloserTest {
    private final List<String> closed = new ArrayList<>();

    @Test
    void closesTheLastAddedFirstAndEachOnce() throws Exception {
        Closer closer = new Closer();
        AutoCloseable a = () -> closed.add("a");
        assertThat(closer.add(a)).isSameAs(a);
        closer.add(() -> closed.add("b"));
        closer.add(() -> closed.add("c"));
        closer.close();
        assertThat(closed).containsExactly("c", "b", "a");
        closer.close();
        assertThat(closed).as("nothing closed twice").containsExactly("c", "b", "a");
    }

    @Test
    void aFailureDoesNotKeepTheOthersOpenAndTheFirstIsThrown() {
        Closer closer = new Closer();
        closer.add(() -> closed.add("a"));
        closer.add(() -> {
            throw new IOException("b failed");
        });
        closer.add(() -> closed.add("c"));
        closer.add(() -> {
            throw new IllegalStateException("d failed");
        });
        assertThatThrownBy(closer::close)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("d failed")
                .satisfies(e -> assertThat(e.getSuppressed())
                        .singleElement()
                        .satisfies(s -> assertThat(s).hasMessage("b failed")));
        assertThat(closed).containsExactly("c", "a");
    }
}
