package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link IdleStreamsBench}'s measurement at a tiny size with real nodes and both stores: every stream's message
 * is processed (the measurement waits for each) and a heap figure comes out. No size is asserted beyond that.
 */
class IdleStreamsBenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void measuresWithBothStores() throws Exception {
        assertThat(IdleStreamsBench.liveHeapWith(200, "memory", dir.resolve("m")))
                .isPositive();
        assertThat(IdleStreamsBench.liveHeapWith(200, "sqlite", dir.resolve("s")))
                .isPositive();
        assertThat(dir.resolve("s").resolve("idle-b.db")).exists();
    }
}
