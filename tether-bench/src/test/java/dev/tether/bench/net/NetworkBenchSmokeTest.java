package dev.tether.bench.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs every network scenario at the tiny {@code --quick} sizes with real child JVMs, a real nats-server and real
 * SQLite files, and checks that every message and round trip arrived. No timing is asserted.
 */
class NetworkBenchSmokeTest {
    @Test
    void quickRunCompletesEveryScenarioWithEveryMessage() throws Exception {
        BenchOptions o = BenchOptions.quickSizes();

        NetworkBench.Report report = NetworkBench.run(o);

        assertThat(report.failures()).isEmpty();
        assertThat(report.results()).extracting(ScenarioResult::id).containsExactlyElementsOf(BenchOptions.DEFAULT);
        for (ScenarioResult r : report.results()) {
            assertThat(r.counted()).as(r.id()).isEqualTo(r.expected()).isPositive();
            assertThat(r.rounds()).as(r.id()).hasSize(o.rounds());
            assertThat(Samples.min(r.rounds())).as(r.id()).isPositive();
        }
        String table = MarkdownReport.render(o, report);
        assertThat(table.lines().filter(l -> l.startsWith("| ")).count()).isEqualTo(1 + BenchOptions.DEFAULT.size());
    }

    @Test
    void optionsParseCountsAndScenarioSelection() {
        BenchOptions o = BenchOptions.parse("--messages", "1_000", "--rounds", "5", "--only", "tcp-memory,nats-core");

        assertThat(o.messages()).isEqualTo(1_000);
        assertThat(o.rounds()).isEqualTo(5);
        assertThat(o.scenarios()).isEqualTo(List.of("nats-core", "tcp-memory"));
    }

    @Test
    void badOptionsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> BenchOptions.parse("--only", "tcp-bogus")).hasMessageContaining("tcp-bogus");
        assertThatThrownBy(() -> BenchOptions.parse("--rounds", "x")).hasMessageContaining("--rounds");
        assertThatThrownBy(() -> BenchOptions.parse("--frobnicate", "1")).hasMessageContaining("--frobnicate");
    }
}
