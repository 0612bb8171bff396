package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Delivery;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node configured without a store gets a SQLite file named after it, and finds its state there again. */
class DefaultStoreTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void nodesWithoutAStoreUseSqliteFilesInTheirStoreDirectory() {
        InMemoryNetwork network = new InMemoryNetwork();
        List<String> seen = new CopyOnWriteArrayList<>();
        TetherConfig configA = TetherConfig.builder(A)
                .peers(B)
                .transport(network.newTransport())
                .storeDirectory(dir)
                .build();
        assertThat(configA.store()).isInstanceOf(SqliteStore.class);

        try (TetherNode a = Tether.start(configA)) {
            a.send(B, "queued while b is away".getBytes(StandardCharsets.UTF_8))
                    .accepted()
                    .join();
        }
        assertThat(dir.resolve("tether-a.db")).exists();

        try (TetherNode a = Tether.start(TetherConfig.builder(A)
                        .peers(B)
                        .transport(network.newTransport())
                        .storeDirectory(dir)
                        .build());
                TetherNode b = Tether.start(TetherConfig.builder(B)
                        .peers(A)
                        .transport(network.newTransport())
                        .storeDirectory(dir)
                        .handler((Delivery d) -> seen.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                        .build())) {
            Await.until(DEADLINE, () -> seen.size() == 1, () -> "delivery from a's reopened default store");
            assertThat(seen).containsExactly("queued while b is away");
            assertThat(a.stats().node()).isEqualTo(A);
            assertThat(b.id()).isEqualTo(B);
        }
        assertThat(Files.exists(dir.resolve("tether-b.db"))).isTrue();
    }
}
