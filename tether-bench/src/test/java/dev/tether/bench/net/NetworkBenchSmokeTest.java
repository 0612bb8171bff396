package dev.tether.bench.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.bench.measure.SummaryRow;
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
            assertThat(r.series().min()).as(r.id()).isPositive();
            assertThat(r.series().warmUp().rounds()).as(r.id()).isNotEmpty().hasSizeLessThanOrEqualTo(o.maxWarmUp());
            assertThat(r.cpuPerMessage()).as(r.id()).isPositive();
        }
        assertThat(SummaryRows.of(report))
                .extracting(SummaryRow::target)
                .hasSize(7)
                .allSatisfy(t -> assertThat(t).isNotBlank());
        String table = MarkdownReport.render(o, report);
        assertThat(table.lines().filter(l -> l.startsWith("| ")).count()).isEqualTo(1 + BenchOptions.DEFAULT.size());
    }

    @Test
    void unixDomainSocketAndCompositeScenariosRunBesideTcpWithEveryMessage() throws Exception {
        BenchOptions o = BenchOptions.parse(
                "--quick",
                "--only",
                "uds-roundtrip,uds-memory,tcp-roundtrip,tcp-memory,composite-memory,composite-roundtrip");

        NetworkBench.Report report = NetworkBench.run(o);

        assertThat(report.failures()).isEmpty();
        assertThat(report.results())
                .extracting(ScenarioResult::id)
                .containsExactly(
                        "tcp-memory",
                        "tcp-roundtrip",
                        "uds-memory",
                        "uds-roundtrip",
                        "composite-memory",
                        "composite-roundtrip");
        for (ScenarioResult r : report.results()) {
            assertThat(r.counted()).as(r.id()).isEqualTo(r.expected()).isPositive();
        }
    }

    @Test
    void handOffFloorRunsEveryRoundTripAndIsComparedWithThePingPongAndTether() throws Exception {
        BenchOptions o = BenchOptions.parse("--quick", "--only", "socket-pingpong,tcp-roundtrip,handoff-floor");

        NetworkBench.Report report = NetworkBench.run(o);

        assertThat(report.failures()).isEmpty();
        assertThat(report.results())
                .extracting(ScenarioResult::id)
                .containsExactly("socket-pingpong", "tcp-roundtrip", "handoff-floor");
        for (ScenarioResult r : report.results()) {
            assertThat(r.counted()).as(r.id()).isEqualTo(r.expected()).isPositive();
            assertThat(r.cpuPerMessage()).as(r.id()).isPositive();
        }
        assertThat(MarkdownReport.render(o, report))
                .contains("threading floor / raw socket ping-pong")
                .contains("Tether round trip / threading floor");
    }

    @Test
    void inlineHandOffFloorRunsEveryRoundTripAndIsComparedWithThePingPongAndTetherInline() throws Exception {
        BenchOptions o =
                BenchOptions.parse("--quick", "--only", "socket-pingpong,tcp-roundtrip-inline,handoff-floor-inline");

        NetworkBench.Report report = NetworkBench.run(o);

        assertThat(report.failures()).isEmpty();
        assertThat(report.results())
                .extracting(ScenarioResult::id)
                .containsExactlyInAnyOrder("socket-pingpong", "tcp-roundtrip-inline", "handoff-floor-inline");
        for (ScenarioResult r : report.results()) {
            assertThat(r.counted()).as(r.id()).isEqualTo(r.expected()).isPositive();
            assertThat(r.cpuPerMessage()).as(r.id()).isPositive();
        }
        assertThat(MarkdownReport.render(o, report))
                .contains("inline threading floor / raw socket ping-pong")
                .contains("Tether inline round trip / inline threading floor");
    }

    @Test
    void optionsParseCountsAndScenarioSelection() {
        BenchOptions o = BenchOptions.parse(
                "--messages", "1_000", "--repeat", "7", "--max-warmup", "3", "--only", "tcp-memory,nats-core");

        assertThat(o.messages()).isEqualTo(1_000);
        assertThat(o.rounds()).isEqualTo(7);
        assertThat(o.maxWarmUp()).isEqualTo(3);
        assertThat(BenchOptions.parse().rounds()).isEqualTo(5);
        assertThat(o.scenarios()).isEqualTo(List.of("nats-core", "tcp-memory"));
    }

    @Test
    void badOptionsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> BenchOptions.parse("--only", "tcp-bogus")).hasMessageContaining("tcp-bogus");
        assertThatThrownBy(() -> BenchOptions.parse("--rounds", "x")).hasMessageContaining("--rounds");
        assertThatThrownBy(() -> BenchOptions.parse("--frobnicate", "1")).hasMessageContaining("--frobnicate");
    }
}
