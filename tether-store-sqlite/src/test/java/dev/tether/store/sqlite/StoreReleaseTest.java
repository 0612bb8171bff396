package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.spi.Transport;
import dev.tether.testkit.ForwardingTransport;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node closes its store, and so releases the store's lock, whatever else fails. A node whose start fails after
 * its store opened (a stored state that cannot be read) throws the {@link
 * StoreException} its store threw, and closes the store: the same file opens again at once in the same process. The
 * namespaces are read at different points of the start: directly while the runtime is made ({@code _idem}), by the
 * event registry ({@code _event}), and through the store writer by the channel and bus layers ({@code _kick},
 * {@code _rules}), whose failure used to arrive wrapped in a {@code CompletionException}, with the store left open
 * and locked. A node whose transport fails to close at shutdown still closes its store (it used to skip it).
 */
class StoreReleaseTest {
    private static final NodeId A = NodeId.of("a");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"_idem", "_event", "_kick", "_rules"})
    void aStartThatFailsReadingStoredStateThrowsTheStoreExceptionAndClosesTheStore(String namespace) {
        Path file = dir.resolve("a.db");
        InMemoryNetwork network = new InMemoryNetwork();
        Store failing = new ForwardingStore(new SqliteStore(file)) {
            @Override
            public List<KeyValue> readKeys(String ns, String afterKey, long nowMillis, int max) {
                if (ns.equals(namespace)) throw new StoreException("cannot read " + ns + " (test)");
                return super.readKeys(ns, afterKey, nowMillis, max);
            }

            @Override
            public List<KeyValue> readNewestKeys(String ns, long nowMillis, int max) { // how _idem is read
                if (ns.equals(namespace)) throw new StoreException("cannot read " + ns + " (test)");
                return super.readNewestKeys(ns, nowMillis, max);
            }
        };
        assertThatThrownBy(() -> Tether.start(config(network, failing)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot read " + namespace);

        TetherNode again = Tether.start(config(network, new SqliteStore(file))); // not StoreInUseException
        try {
            assertThat(again.stats().epoch()).isNotZero();
        } finally {
            again.close();
        }
    }

    private static TetherConfig config(InMemoryNetwork network, Store store) {
        return TetherConfig.builder(A)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.FSYNC)
                .handler(d -> {})
                .build();
    }

    @Test
    void aTransportThatFailsToCloseStillLetsTheStoreClose() {
        Path file = dir.resolve("a.db");
        InMemoryNetwork network = new InMemoryNetwork();
        TetherNode a = Tether.start(TetherConfig.builder(A)
                .transport(new CloseFails(network.newTransport()))
                .store(new SqliteStore(file))
                .durability(Durability.FSYNC)
                .handler(d -> {})
                .build());
        a.shutdown(Duration.ofSeconds(5));

        TetherNode again = Tether.start(config(network, new SqliteStore(file))); // not StoreInUseException
        again.close();
    }

    /** A transport whose {@code close} throws after closing the transport it wraps. */
    private static final class CloseFails extends ForwardingTransport {
        CloseFails(Transport inner) {
            super(inner);
        }

        @Override
        public void close() {
            super.close();
            throw new IllegalStateException("close failed (test)");
        }
    }
}
