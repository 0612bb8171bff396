package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.StoreDamage;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code tether node} starts, refuses to start, and reports, as real processes. */
class NodeStartTest {
    /** The one log line format: instant, level, source, message. */
    private static final Pattern LOG_LINE = Pattern.compile(
            "\\[err] \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z (ERROR|WARN|INFO|DEBUG) [^:]+: .+");

    @TempDir
    Path dir;

    private static List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String output(ChildJvm c) {
        return String.join("\n", c.lines());
    }

    @Test
    void aStartThatFailsOnAnOccupiedPortLeavesNoStoreFilesBehind() throws IOException {
        Path store = Files.createDirectories(dir.resolve("store"));
        try (ServerSocket occupied = new ServerSocket()) {
            occupied.bind(new InetSocketAddress("127.0.0.1", 0));
            String address = "127.0.0.1:" + occupied.getLocalPort();
            ChildJvm node = CliProcess.start(
                    "occupied", "node", "--id", "a", "--listen", address, "--store-dir", store.toString());
            assertThat(node.awaitExit(CliProcess.TIMEOUT)).isEqualTo(1);
            assertThat(output(node)).contains("already in use", address).doesNotContain("ready node=");
        }
        assertThat(files(store)).as("no tether-a.db, -wal, -shm or .lock left").isEmpty();
    }

    @Test
    void anAdminAddressInUseIsNamedAndNothingIsCreated() throws IOException {
        Path store = Files.createDirectories(dir.resolve("store"));
        try (ServerSocket occupied = new ServerSocket()) {
            occupied.bind(new InetSocketAddress("127.0.0.1", 0));
            String address = "127.0.0.1:" + occupied.getLocalPort();
            ChildJvm node = CliProcess.start(
                    "admin-occupied", "node", "--id", "a", "--admin", address, "--store-dir", store.toString());
            assertThat(node.awaitExit(CliProcess.TIMEOUT)).isEqualTo(1);
            assertThat(output(node)).contains("tether node: --admin " + address + ": address already in use");
        }
        assertThat(files(store)).isEmpty();
    }

    @Test
    void aCorruptStoreIsRefusedWithTheRecoveryStepsUnlessTheCheckIsSkipped() throws IOException {
        Path file = dir.resolve("tether-a.db");
        try (SqliteStore s = new SqliteStore(file)) {
            s.open(Durability.FSYNC);
            WriteBatch batch = new WriteBatch();
            for (int seq = 1; seq <= 2_000; seq++) {
                batch.append(new StoredMessage(NodeId.of("b"), "default", seq, 0, Map.of(), new byte[100]));
            }
            s.commit(batch);
        }
        StoreDamage.corruptPageOf(file, "outbox", 7);

        ChildJvm refused =
                CliProcess.start("corrupt", "node", "--id", "a", "--peer", "b", "--store-dir", dir.toString());
        assertThat(refused.awaitExit(CliProcess.TIMEOUT)).isEqualTo(1);
        assertThat(output(refused))
                .contains("tether node: store " + file.toAbsolutePath() + " is corrupt (SQLite quick_check:")
                .contains("\"A corrupt store\" in docs/OPERATIONS.md")
                .doesNotContain("ready node=");

        String[] ready = new String[1];
        ChildJvm skipped = CliProcess.node(
                "corrupt-skipped",
                ready,
                "--id",
                "a",
                "--peer",
                "b",
                "--store-dir",
                dir.toString(),
                "--skip-integrity-check");
        assertThat(ready[0]).contains("store=" + file.toAbsolutePath());
        assertThat(skipped.terminate(CliProcess.TIMEOUT)).isZero();
    }

    @Test
    void aNodeWithoutPeersStartsAndItsReadyLineSaysSo() {
        String[] ready = new String[1];
        ChildJvm node = CliProcess.node("no-peers", ready, "--id", "solo", "--store-dir", dir.toString());
        assertThat(ready[0])
                .startsWith("ready node=solo transport=tcp 127.0.0.1:")
                .endsWith(" peers=none");
        assertThat(node.terminate(CliProcess.TIMEOUT)).isZero();
    }

    @Test
    void sigtermDrainsThenExitsZeroKeepingWhatIsPendingAndASecondSignalStopsAtOnce() throws IOException {
        for (String drain : List.of("1", "120")) {
            String[] ready = new String[1];
            Path store = Files.createDirectories(dir.resolve("drain-" + drain));
            ChildJvm node = CliProcess.node(
                    "drain-" + drain,
                    ready,
                    "--id",
                    "a",
                    "--peer",
                    "c=127.0.0.1:" + CliProcess.freePort(), // never reachable: nothing can drain
                    "--store-dir",
                    store.toString(),
                    "--admin",
                    "127.0.0.1:0",
                    "--drain-timeout",
                    drain);
            ChildJvm send = CliProcess.start(
                    "drain-send-" + drain, "send", "--admin", CliProcess.admin(ready[0]), "--to", "c", "kept");
            assertThat(send.awaitExit(CliProcess.TIMEOUT)).isZero();

            if (drain.equals("1")) {
                assertThat(node.terminate(CliProcess.TIMEOUT))
                        .as("a graceful stop, even with messages kept")
                        .isZero();
                assertThat(output(node)).contains("stopped node a: 1 messages still pending", "kept in the store");
            } else {
                ProcessHandle.of(node.pid()).orElseThrow().destroy(); // SIGTERM: the drain begins
                node.awaitLine(l -> l.contains("stopping node a: draining for up to 120 s"), CliProcess.TIMEOUT);
                assertThat(node.terminate(CliProcess.TIMEOUT))
                        .as("the second signal")
                        .isEqualTo(143);
                assertThat(output(node)).doesNotContain("stopped node a");
            }
        }
    }

    @Test
    void withAnUnreachableNatsServerTheReadyLineSaysSoAndEveryLogLineHasTheOneFormat() {
        String[] ready = new String[1];
        String nats = "nats://127.0.0.1:" + CliProcess.freePort();
        ChildJvm node = CliProcess.node(
                "nats-down", ready, "--id", "a", "--peer", "b", "--nats", nats, "--store-dir", dir.toString());
        assertThat(ready[0]).contains(" nats=not-connected-yet", " connected=none not-yet=b");
        // All lines so far, not awaitLine: the warning may come before the ready line, whose wait consumed it.
        Await.until(
                CliProcess.TIMEOUT,
                () -> node.lines().stream().anyMatch(l -> l.startsWith("[err] ") && l.contains("cannot reach NATS")),
                () -> "no 'cannot reach NATS' warning; last lines: " + node.lines());

        assertThat(node.terminate(CliProcess.TIMEOUT)).isZero();
        List<String> errLines =
                node.lines().stream().filter(l -> l.startsWith("[err] ")).toList();
        assertThat(errLines).isNotEmpty().allSatisfy(l -> assertThat(l).matches(LOG_LINE));
        assertThat(errLines)
                .anyMatch(l -> l.contains("WARN dev.tether.transport.nats"))
                .anyMatch(l -> l.contains("INFO node a: stopped node a: drained"));
    }
}
