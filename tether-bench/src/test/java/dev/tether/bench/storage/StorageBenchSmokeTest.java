package dev.tether.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs every storage scenario in {@code --quick} mode (a few hundred messages, real SQLite files) and checks
 * that each completes with matching counts. It measures nothing and asserts no timing.
 */
class StorageBenchSmokeTest {
    @org.junit.jupiter.api.io.TempDir // the simple name is the bench's own TempDir (same package)
    Path dir;

    @Test
    void everyScenarioCompletesWithMatchingCounts() throws Exception {
        Path md = dir.resolve("storage-bench.md");
        BenchOptions o = BenchOptions.parse("--quick", "--out", md.toString());

        Report report = StorageBench.run(o);

        assertThat(report.countErrors()).isEmpty();
        assertThat(report.scenarios())
                .extracting(s -> s.name.substring(0, s.name.indexOf(')')))
                .containsExactly("a", "b", "c", "m", "p", "e", "d100", "d1000", "d10000", "d1");
        for (ScenarioResult s : report.scenarios()) {
            assertThat(s.rates)
                    .as(s.name)
                    .hasSize(o.rounds())
                    .allSatisfy(r -> assertThat(r).isPositive());
        }
        assertThat(report.scenarios().get(1).halfLoadLatencies).hasSize(o.rounds());
        for (ScenarioResult s : report.scenarios()) {
            assertThat(s.warmUp.rounds()).as(s.name).isNotEmpty().hasSizeLessThanOrEqualTo(o.maxWarmUp());
            assertThat(s.series("0").cpuMedian()).as(s.name).isPositive();
        }
        assertThat(report.summaryRows()).hasSize(3);
        assertThat(Files.readString(md)).contains("| scenario |", "FSYNC (synchronous=FULL)", "OS_BUFFERED");
    }

    @Test
    void theBenchLeavesNoFilesInTheTemporaryDirectory(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        // In a directory of the test's own: /tmp is shared with other builds, whose bench runs come and go.
        StoreAppendScenario.Run r;
        try {
            r = StoreAppendScenario.run(
                    BenchOptions.parse("--quick"), dev.tether.Durability.FSYNC, 200, TempDir.createIn(tmp));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(r.rowsStored()).isEqualTo(200);
        assertThat(r.accepted()).isEqualTo(200);
        try (var left = Files.list(tmp)) {
            assertThat(left).as("left in " + tmp).isEmpty();
        }
    }

    @Test
    void badOptionsAreRefusedByName() {
        assertThatThrownBy(() -> BenchOptions.parse("--threads", "0")).hasMessageContaining("--threads");
        assertThatThrownBy(() -> BenchOptions.parse("--rounds", "x")).hasMessageContaining("--rounds");
        assertThatThrownBy(() -> BenchOptions.parse("--bogus", "1")).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> BenchOptions.parse("--scenarios", "nope")).hasMessageContaining("nope");
        assertThatThrownBy(() -> BenchOptions.parse("--messages")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--peer-batches", "100,1")).hasMessageContaining("--peer-batches");
    }
}
