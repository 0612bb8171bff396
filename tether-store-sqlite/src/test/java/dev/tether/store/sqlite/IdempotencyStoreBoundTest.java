package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store of a receiver with idempotency keys holds the keys it keeps in memory ({@code maxKeys}), not every key
 * acknowledged within the window: the acknowledgment that evicts a key deletes its entry in the same batch (audit 6b,
 * finding 1: the store kept all of them, and every start read all of them). After a restart the newest keys still make
 * retries duplicates; an evicted one does not. The restart reads the newest {@code maxKeys} entries only ({@link
 * Store#readNewestKeys}, an index range in SQLite), not the namespace page by page.
 */
class IdempotencyStoreBoundTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int MAX_KEYS = 10;
    private static final int SENT = 300;

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
    }

    /** Records the reads of the idempotency keys' namespace. */
    private static final class RecordingStore extends ForwardingStore {
        final List<String> idempotencyReads = new CopyOnWriteArrayList<>();

        RecordingStore(Store delegate) {
            super(delegate);
        }

        @Override
        public List<KeyValue> readKeys(String namespace, String afterKey, long nowMillis, int max) {
            if (namespace.equals("_idem")) idempotencyReads.add("readKeys " + max);
            return super.readKeys(namespace, afterKey, nowMillis, max);
        }

        @Override
        public List<KeyValue> readNewestKeys(String namespace, long nowMillis, int max) {
            if (namespace.equals("_idem")) idempotencyReads.add("readNewestKeys " + max);
            return super.readNewestKeys(namespace, nowMillis, max);
        }
    }

    private TetherNode start(NodeId self, NodeId peer) {
        return start(self, peer, new SqliteStore(dir.resolve(self + ".db")));
    }

    private TetherNode start(NodeId self, NodeId peer, Store store) {
        TetherNode n = Tether.start(TetherConfig.builder(self)
                .peers(peer)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.FSYNC)
                .idempotencyKeys(Duration.ofHours(1), MAX_KEYS)
                .handler(d -> handled.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                .build());
        nodes.add(n);
        return n;
    }

    private static OutboundMessage keyed(int i) {
        return OutboundMessage.to(B)
                .idempotencyKey("k" + i)
                .payload(("m" + i).getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private List<String> storedKeys() {
        try (SqliteStore store = new SqliteStore(dir.resolve(B + ".db"))) {
            store.open(Durability.FSYNC);
            List<String> keys = new ArrayList<>();
            for (KeyValue kv : store.readKeys("_idem", null, System.currentTimeMillis(), 100_000)) keys.add(kv.key());
            return keys;
        }
    }

    @Test
    void theStoreKeepsTheKeysMemoryKeepsAndARestartStillFindsTheNewest() throws Exception {
        TetherNode a = start(A, B);
        TetherNode b = start(B, A);
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < SENT; i++) receipts.add(a.send(keyed(i)));
        for (SendReceipt r : receipts) r.processed().get(60, TimeUnit.SECONDS);
        assertThat(b.stats().idempotency().keys()).isEqualTo(MAX_KEYS);
        b.shutdown(Duration.ofSeconds(5));
        nodes.remove(b);

        List<String> expected = new ArrayList<>();
        for (int i = SENT - MAX_KEYS; i < SENT; i++) expected.add("a|k" + i);
        assertThat(storedKeys()).as("_idem entries in b's file").containsExactlyInAnyOrderElementsOf(expected);

        RecordingStore restarted = new RecordingStore(new SqliteStore(dir.resolve(B + ".db")));
        start(B, A, restarted);
        assertThat(restarted.idempotencyReads)
                .as("the start reads the newest keys only")
                .containsExactly("readNewestKeys " + MAX_KEYS);
        handled.clear();
        a.send(keyed(SENT - 1)).processed().get(30, TimeUnit.SECONDS); // the newest key: a duplicate
        a.send(keyed(0)).processed().get(30, TimeUnit.SECONDS); // evicted long ago: processed again
        assertThat(handled).containsExactly("m0");
    }
}
