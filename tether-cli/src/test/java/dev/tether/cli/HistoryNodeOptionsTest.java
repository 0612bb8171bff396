package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryOptions;
import dev.tether.bus.HistoryQuery;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The history options of the node commands ({@code --history}, {@code --history-max-entries}, {@code
 * --history-max-age}, {@code --history-payload-bytes}): off without them, each bound turning it on and replacing only
 * its default, a bad value a usage error naming it, and a node started with them recording what it sends.
 */
class HistoryNodeOptionsTest {
    @TempDir
    Path dir;

    private final InProcessCli cli = new InProcessCli();

    @Test
    void offWithoutTheOptionsTheDefaultsWithHistoryAndEachBoundReplacesOnlyItsOwn() {
        assertThat(configured().history()).isNull();
        assertThat(configured("--history").history()).isEqualTo(HistoryOptions.DEFAULT);
        assertThat(configured("--history-max-entries", "500").history())
                .isEqualTo(new HistoryOptions(500, HistoryOptions.DEFAULT.maxAge(), 0));
        assertThat(configured("--history", "--history-max-age", "2h", "--history-payload-bytes", "64")
                        .history())
                .isEqualTo(new HistoryOptions(HistoryOptions.DEFAULT.maxEntries(), Duration.ofHours(2), 64));
    }

    @Test
    void aBadBoundIsAUsageErrorNamingItAndNoNodeStarts() throws Exception {
        assertUsageError("history maxEntries must be between 1 and", "--history-max-entries", "0");
        assertUsageError("history maxPayloadBytes must be between 0 and", "--history-payload-bytes", "-1");
        assertUsageError("history maxAge must be between 1 s", "--history-max-age", "10ms");
        assertUsageError("'forever' is not a duration", "--history-max-age", "forever");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no store file left").isEmpty();
        }
    }

    @Test
    void aNodeStartedWithTheOptionsRecordsItsSendsWithTheirPayloadsCut() throws Exception {
        TetherConfig.Builder b = builder("a");
        parse("--history-payload-bytes", "3").apply(b);
        try (TetherNode a = Tether.start(b.build())) {
            a.send(NodeId.of("a"), "orders", "order-1".getBytes(StandardCharsets.UTF_8))
                    .processed()
                    .get(10, TimeUnit.SECONDS);
            List<HistoryEntry> out = Tether.management(a)
                    .history(HistoryQuery.builder()
                            .direction(HistoryDirection.OUT)
                            .payloads(true)
                            .build());
            assertThat(out).hasSize(1);
            assertThat(out.get(0).lane()).isEqualTo("orders");
            assertThat(new String(out.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("ord");
            assertThat(out.get(0).truncated()).isTrue();
        }
    }

    private static TetherConfig.Builder builder(String id) {
        return TetherConfig.builder(NodeId.of(id))
                .transport(new InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> {});
    }

    private static TetherConfig configured(String... args) {
        TetherConfig.Builder b = builder("a");
        parse(args).apply(b);
        return b.build();
    }

    private static HistoryNodeOptions parse(String... args) {
        HistoryNodeOptions o = new HistoryNodeOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    private void assertUsageError(String message, String... options) {
        cli.assertNodeRefuses(dir, message, options);
    }
}
