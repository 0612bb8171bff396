package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restoring an old copy of a sender's store, then giving it a new epoch ({@link SqliteStore#renewEpoch}): the
 * receiver treats it as a new incarnation, so new messages are not mistaken for duplicates of the sequence
 * numbers it already processed; the restored backlog is delivered again.
 */
class RestoreFromCopyTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<Long> seen = new CopyOnWriteArrayList<>();
    private final List<TetherEvent> receiverEvents = new CopyOnWriteArrayList<>();

    private TetherNode a() {
        return Tether.start(TetherConfig.builder(A)
                .peers(B)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.FSYNC)
                .handler(d -> {})
                .build());
    }

    private TetherNode b() {
        return Tether.start(TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("b.db")))
                .durability(Durability.FSYNC)
                .handler(d -> seen.add(d.payload().getLong(0)))
                .listener(receiverEvents::add)
                .build());
    }

    private static byte[] payload(long id) {
        return ByteBuffer.allocate(8).putLong(0, id).array();
    }

    @Test
    void aRestoredSenderWithANewEpochLosesNothingNew() throws Exception {
        Path file = dir.resolve("a.db");
        TetherNode a = a();
        for (long id = 1; id <= 5; id++) a.send(B, payload(id)).accepted().get(30, TimeUnit.SECONDS);
        a.shutdown(Duration.ofSeconds(5));
        assertThat(Files.exists(Path.of(file + "-wal"))).isFalse(); // a stopped store is one file
        Path backup = dir.resolve("a.db.backup");
        Files.copy(file, backup);
        long oldEpoch = StoreInspector.inspect(backup).epoch();

        a = a();
        TetherNode b = b();
        for (long id = 6; id <= 8; id++) a.send(B, payload(id));
        a.send(B, payload(8_000)).processed().get(60, TimeUnit.SECONDS);
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 8_000L);
        a.shutdown(Duration.ofSeconds(5));
        b.shutdown(Duration.ofSeconds(5));

        // Restore the old copy: its outbox holds 1..5 unacknowledged, and sequence numbers stop at 5.
        Files.copy(backup, file, StandardCopyOption.REPLACE_EXISTING);
        long newEpoch = SqliteStore.renewEpoch(file);
        assertThat(newEpoch).isNotIn(0L, oldEpoch);
        assertThat(StoreInspector.inspect(file).epoch()).isEqualTo(newEpoch);

        seen.clear();
        a = a();
        b = b();
        a.send(B, payload(9)).processed().get(60, TimeUnit.SECONDS);
        List<Long> expected = new ArrayList<>(List.of(1L, 2L, 3L, 4L, 5L, 9L)); // the copy's backlog again, then 9
        Await.until(WAIT, () -> seen.size() >= expected.size(), () -> "seen " + seen);
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(receiverEvents).anySatisfy(e -> assertThat(e).isInstanceOf(TetherEvent.Resync.class));
        a.shutdown(Duration.ofSeconds(5));
        b.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void renewEpochRefusesMissingAndBusyStores() {
        assertThatThrownBy(() -> SqliteStore.renewEpoch(dir.resolve("none.db")))
                .isInstanceOf(StoreException.class)
                .hasMessageEndingWith("none.db does not exist");
        assertThat(Files.exists(dir.resolve("none.db"))).isFalse();
        Path file = dir.resolve("busy.db");
        try (SqliteStore running = new SqliteStore(file)) {
            long epoch = running.open(Durability.FSYNC).epoch();
            assertThatThrownBy(() -> SqliteStore.renewEpoch(file)).isInstanceOf(StoreInUseException.class);
            assertThat(StoreInspector.inspect(file).epoch()).isEqualTo(epoch);
        }
    }
}
