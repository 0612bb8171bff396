package dev.tether.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.sim.CheckReport;
import dev.tether.testkit.sim.HistoryChecker;
import dev.tether.testkit.sim.HistoryEvent;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two in-process nodes recorded by {@link HistoryRecorder}: the log reads back as a complete, clean history. */
class HistoryRecorderTest {
    private static final int SIZE = 40;
    private static final int MESSAGES = 200;
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    @Test
    void sendsDeliveriesCommitsAndFinalStreamsAreRecorded() {
        Path file = dir.resolve("history.log");
        InMemoryNetwork network = new InMemoryNetwork();
        HistoryRecorder recordA;
        HistoryRecorder recordB;
        try (HistoryLog log = HistoryLog.create(file)) {
            recordA = new HistoryRecorder(log, "a", SIZE);
            recordB = new HistoryRecorder(log, "b", SIZE);
            TetherNode a = Tether.start(
                    recordA.record(config(A, B, network), new InMemoryStore()).build());
            TetherNode b = Tether.start(
                    recordB.record(config(B, A, network), new InMemoryStore()).build());
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (long id = 1; id <= MESSAGES; id++) sent.add(recordA.send(a, B, "l", id));
            sent.forEach(HistoryRecorder::awaitQuietly);
            assertThat(HistoryRecorder.awaitDrained(Duration.ofMinutes(1), a, b))
                    .as("drained")
                    .isTrue();
            recordA.recordFinalStreams(a);
            a.shutdown(Duration.ofSeconds(5));
            b.shutdown(Duration.ofSeconds(5));
        }

        assertThat(recordA.accepted()).isEqualTo(MESSAGES);
        assertThat(recordB.delivered()).isEqualTo(MESSAGES);
        List<HistoryEvent> history =
                HistoryLogReader.read(List.of(new HistoryLogReader.Run(file, List.of("a", "b"), false)), SIZE);
        assertThat(history).filteredOn(HistoryEvent.Sent.class::isInstance).hasSize(MESSAGES);
        assertThat(history).filteredOn(HistoryEvent.Committed.class::isInstance).hasSize(MESSAGES);
        assertThat(history).filteredOn(HistoryEvent.Delivered.class::isInstance).hasSize(MESSAGES);
        assertThat(history)
                .filteredOn(HistoryEvent.CursorCommitted.class::isInstance)
                .isNotEmpty();
        CheckReport report = HistoryChecker.check(history);
        assertThat(report.clean()).as(report.toString()).isTrue();
    }

    private static TetherConfig.Builder config(NodeId self, NodeId peer, InMemoryNetwork network) {
        return TetherConfig.builder(self)
                .peers(peer)
                .transport(network.newTransport())
                .durability(Durability.MEMORY);
    }
}
