package dev.tether.bench.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link EventBench} at a tiny size with real nodes over TCP and checks that it writes its summary-table row (every
 * event's await completed with the trigger's payload, or the bench throws). No timing is asserted.
 */
class EventBenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void quickRunWritesItsSummaryRow() throws Exception {
        Path rows = dir.resolve("rows.md");

        EventBench.main(new String[] {"--quick", "--events", "50", "--summary", rows.toString()});

        List<String> lines = Files.readAllLines(rows);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .startsWith("| event trigger to remote await over TCP: p50 <= 2x a raw socket ping-pong | **")
                .contains("raw socket ping-pong p50", "`scripts/bench events`");
    }

    @Test
    void badOptionsAreNamed() {
        assertThat(EventBench.options("--events", "7", "--store", "sqlite-fsync"))
                .containsEntry("--events", "7")
                .containsEntry("--store", "sqlite-fsync");
        assertThatThrownBy(() -> EventBench.options("--bogus")).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> EventBench.options("--events")).hasMessageContaining("--events");
    }
}
