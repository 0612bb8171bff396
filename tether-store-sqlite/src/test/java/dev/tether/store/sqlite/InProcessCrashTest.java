package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.NodeCrash;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node on a SQLite file crashed in-process ({@link NodeCrash}) at an exact point: its handler has processed a
 * message, but the commit of its cursor is held up in the store, so the crash comes before the cursor is
 * durable. The restarted node opens the same file at once and gets the message again, flagged as a redelivery;
 * what was durable before is not delivered again. Without an in-process crash this needed a child JVM and a
 * kill at a lucky moment: {@code shutdown(Duration.ZERO)} lets the store commit for up to 2 s more, and a node
 * abandoned with a blocked commit keeps its file locked.
 */
class InProcessCrashTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<Boolean> flags = new CopyOnWriteArrayList<>();

    private TetherNode receiver(HeldStore store) {
        return Tether.start(TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.FSYNC)
                .handler(this::record)
                .build());
    }

    private void record(Delivery d) {
        seen.add(new String(d.payloadBytes(), StandardCharsets.UTF_8));
        flags.add(d.isRedelivery());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aReceiverCrashedBeforeItsCursorCommitGetsTheMessageAgainFlaggedFromTheSameFile() throws Exception {
        Path file = dir.resolve("b.db");
        TetherNode a = Tether.start(TetherConfig.builder(A)
                .peers(B)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.FSYNC)
                .handler(d -> {})
                .build());
        HeldStore held = new HeldStore(new SqliteStore(file));
        TetherNode b = receiver(held);

        assertThat(a.send(B, utf8("durable")).processed().get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED); // its cursor is committed: never delivered again
        held.holdNext();
        SendReceipt second = a.send(B, utf8("processed, cursor not durable"));
        assertThat(held.awaitHolding(WAIT)).as("cursor commit held").isTrue();
        assertThat(seen).containsExactly("durable", "processed, cursor not durable");

        NodeCrash.crash(b);
        assertThat(b.shutdown(Duration.ZERO).drained()).isFalse();

        TetherNode restarted = receiver(new HeldStore(new SqliteStore(file))); // the file is free at once
        assertThat(second.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        Await.until(WAIT, () -> seen.size() == 3, () -> "redelivery; seen " + seen);
        assertThat(seen).containsExactly("durable", "processed, cursor not durable", "processed, cursor not durable");
        assertThat(flags).containsExactly(false, false, true);
        restarted.shutdown(Duration.ofSeconds(5));
        a.shutdown(Duration.ofSeconds(5));
    }
}
