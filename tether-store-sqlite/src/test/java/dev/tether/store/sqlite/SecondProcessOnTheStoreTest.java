package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.StoredMessage;
import dev.tether.testkit.process.ChildJvm;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second JVM's node, and a second node in this JVM, on a store a running node holds.
 * The opener gets StoreInUseException naming the holder's pid; the holder goes on storing; StoreInspector reads the
 * file meanwhile; after the holder is SIGKILLed the next node opens the file and every message the holder reported
 * stored is there, once, in order.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecondProcessOnTheStoreTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aNodeInAnotherProcessHoldsTheStoreUntilKilledAndLosesNothing() throws Exception {
        Path file = dir.resolve("a.db");
        long last;
        try (ChildJvm holder = ChildJvm.builder(StoreHoldingNode.class)
                .heap("64m")
                .logDir(dir.resolve("logs"))
                .args(file.toString())
                .start()) {
            holder.awaitLine("READY"::equals, WAIT);
            assertThatThrownBy(() -> Tether.start(config(file)))
                    .isInstanceOf(StoreInUseException.class)
                    .hasMessageContaining("pid " + holder.pid());
            assertThat(StoreInspector.inspect(file).outbound()).isNotEmpty(); // read-only, while it runs
            int seen = accepted(holder.lines());
            holder.awaitLine(l -> l.equals("ACCEPTED " + (seen + 20)), WAIT); // the holder goes on storing
            assertThat(holder.kill()).isEqualTo(ChildJvm.SIGKILL_EXIT);
            last = accepted(holder.lines());
        }
        TetherNode next = Tether.start(config(file));
        try {
            assertThat(next.stats().queued()).as("stored by the killed holder").isGreaterThan(last);
        } finally {
            next.close();
        }
        try (SqliteStore store = new SqliteStore(file)) {
            store.open(Durability.FSYNC);
            List<String> payloads = new ArrayList<>();
            long seq = 1;
            for (StoredMessage m : store.readOutbox(B, "default", 0, 1_000_000)) {
                assertThat(m.seq()).isEqualTo(seq++);
                payloads.add(new String(m.payload(), StandardCharsets.UTF_8));
            }
            assertThat(payloads.size()).isGreaterThan((int) last);
            for (int i = 0; i < payloads.size(); i++)
                assertThat(payloads.get(i)).isEqualTo("m" + i);
        }
    }

    @Test
    void aSecondNodeInThisProcessIsRefusedAndTheFirstGoesOn() throws Exception {
        Path file = dir.resolve("a.db");
        TetherNode first = Tether.start(config(file));
        try {
            first.send(B, new byte[] {1}).accepted().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> Tether.start(config(dir.resolve(".").resolve("a.db"))))
                    .isInstanceOf(StoreInUseException.class);
            first.send(B, new byte[] {2}).accepted().get(10, TimeUnit.SECONDS);
        } finally {
            first.close();
        }
        TetherNode second = Tether.start(config(file));
        try {
            assertThat(second.stats().queued()).isEqualTo(2);
        } finally {
            second.close();
        }
    }

    private static int accepted(List<String> lines) {
        int last = -1;
        for (String l : lines) {
            if (l.startsWith("ACCEPTED ")) last = Math.max(last, Integer.parseInt(l.substring(9)));
        }
        return last;
    }

    private static TetherConfig config(Path file) {
        return TetherConfig.builder(A)
                .peers(B)
                .transport(new InMemoryNetwork().newTransport())
                .store(new SqliteStore(file))
                .durability(Durability.FSYNC)
                .build();
    }
}
