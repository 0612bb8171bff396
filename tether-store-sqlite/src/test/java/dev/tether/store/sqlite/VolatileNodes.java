package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * Nodes on SQLite files at FSYNC over one in-memory network, every batch committed to their stores recorded: for the
 * tests that check what volatile traffic never stores.
 */
final class VolatileNodes implements AutoCloseable {
    private final Path dir;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    private final List<WriteBatch> committed = new CopyOnWriteArrayList<>();

    /** Nodes whose files are in {@code dir}. */
    VolatileNodes(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code self} (file {@code <self>.db}, restarted on it if it exists) with peer {@code peer}. */
    TetherNode start(NodeId self, NodeId peer, UnaryOperator<TetherConfig.Builder> more) {
        ForwardingStore store = new ForwardingStore(new SqliteStore(dir.resolve(self.value() + ".db"))) {
            @Override
            public void commit(WriteBatch batch) {
                super.commit(batch);
                committed.add(batch);
            }
        };
        TetherNode n = Tether.start(more.apply(TetherConfig.builder(self)
                        .peers(peer)
                        .transport(network.newTransport())
                        .store(store)
                        .durability(Durability.FSYNC))
                .build());
        nodes.add(n);
        return n;
    }

    /** {@code n} was crashed by the test: not closed again. */
    void crashed(TetherNode n) {
        nodes.remove(n);
    }

    /** The batches committed so far, in commit order. */
    List<WriteBatch> committed() {
        return committed;
    }

    /**
     * No append, cursor or trim of a volatile lane was committed, and something was (epochs, peers met). The store
     * writer commits those on its own thread, possibly after the calls the test awaited: waited for, with a deadline.
     */
    void assertNothingVolatileStored() {
        Await.until(Duration.ofSeconds(30), () -> !committed.isEmpty(), () -> "no batch committed at all");
        for (WriteBatch w : committed) {
            assertThat(w.appends()).extracting(StoredMessage::lane).noneMatch(Lanes::isVolatile);
            assertThat(w.cursors()).noneMatch(c -> Lanes.isVolatile(c.lane()));
            assertThat(w.trims()).noneMatch(t -> Lanes.isVolatile(t.lane()));
        }
    }

    @Override
    public void close() {
        nodes.forEach(TetherNode::close);
    }
}
