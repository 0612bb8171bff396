package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link InProcessBench} at a tiny size with real nodes and checks that it writes its summary-table row. No
 * timing is asserted.
 */
class InProcessBenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void quickRunWritesItsSummaryRow() throws Exception {
        Path rows = dir.resolve("rows.md");

        InProcessBench.main(new String[] {"--quick", "--messages", "5000", "--summary", rows.toString()});

        List<String> lines = Files.readAllLines(rows);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .startsWith("| in-process, in-memory store: >= 1,000,000 msg/s | **")
                .contains("raw thread handoff", "`scripts/bench inprocess`");
    }

    @Test
    void optionsAcceptNamesAndTheOlderPositionalForm() {
        assertThat(InProcessBench.options("--repeat", "7", "--store", "sqlite-os"))
                .containsEntry("--repeat", "7")
                .containsEntry("--store", "sqlite-os");
        assertThat(InProcessBench.options("2000000", "4", "5"))
                .containsEntry("--messages", "2000000")
                .containsEntry("--lanes", "4")
                .containsEntry("--repeat", "5");
        assertThatThrownBy(() -> InProcessBench.options("--bogus", "1")).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> InProcessBench.options("--repeat")).hasMessageContaining("--repeat");
    }
}
