package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.fixtures.ForwardingStore;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.KeyValue;
import dev.tether.spi.Store;
import dev.tether.testkit.NodeCrash;
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
 * Idempotency keys on a receiver with a SQLite file (at most {@link #MAX_KEYS} of them kept), crashed in process
 * ({@link NodeCrash}: nothing more committed) after or during the commit that holds a keyed message's cursor and its
 * key: after the commit a retry is never processed; during it both are lost, so the original runs again (flagged) and
 * the retry still is not processed. The file holds the keys memory keeps, not every key acknowledged within the
 * window: the acknowledgment that evicts a key deletes its entry in the same batch (audit 6b, finding 1: the store
 * kept all of them, and every start read all of them).
 */
class SqliteIdempotencyTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int MAX_KEYS = 10;

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    /** What b's handler saw: payload, and "(redelivery)" if flagged. */
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
    }

    private TetherNode start(NodeId self, NodeId peer, ForwardingStore store) {
        TetherNode n = Tether.start(TetherConfig.builder(self)
                .peers(peer)
                .transport(network.newTransport())
                .store(store)
                .durability(Durability.FSYNC)
                .idempotencyKeys(Duration.ofHours(1), MAX_KEYS)
                .handler(d -> handled.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)
                        + (d.isRedelivery() ? " (redelivery)" : "")))
                .build());
        nodes.add(n);
        return n;
    }

    private HeldStore store(String name) {
        return new HeldStore(new SqliteStore(dir.resolve(name + ".db")));
    }

    private static OutboundMessage keyed(String payload) {
        return keyed("pay-1", payload);
    }

    private static OutboundMessage keyed(String key, String payload) {
        return OutboundMessage.to(B)
                .idempotencyKey(key)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    @Test
    void aKeyCommittedBeforeACrashMakesTheRetryADuplicate() throws Exception {
        TetherNode a = start(A, B, store("a"));
        TetherNode b = start(B, A, store("b"));
        assertThat(a.send(keyed("original")).processed().get(30, TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);

        NodeCrash.crash(b);
        nodes.remove(b);
        start(B, A, store("b"));

        assertThat(a.send(keyed("retry")).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(handled).containsExactly("original");
    }

    @Test
    void aCrashDuringTheCommitOfCursorAndKeyLosesBoth() throws Exception {
        HeldStore bStore = store("b");
        TetherNode a = start(A, B, store("a"));
        bStore.holdNext(batch -> !batch.keyWrites().isEmpty()); // the commit with a key write waits for the crash
        TetherNode b = start(B, A, bStore);
        a.send(keyed("original"));
        assertThat(bStore.awaitHolding(Duration.ofSeconds(30))).isTrue();

        NodeCrash.crash(b);
        nodes.remove(b);
        start(B, A, store("b"));

        assertThat(a.send(keyed("retry")).processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(handled).containsExactly("original", "original (redelivery)");
    }

    @Test
    void theFileKeepsTheKeysMemoryKeepsAndARestartStillFindsTheNewest() throws Exception {
        int sent = 300;
        TetherNode a = start(A, B, store("a"));
        TetherNode b = start(B, A, store("b"));
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < sent; i++) receipts.add(a.send(keyed("k" + i, "m" + i)));
        for (SendReceipt r : receipts) r.processed().get(60, TimeUnit.SECONDS);
        assertThat(b.stats().idempotency().keys()).isEqualTo(MAX_KEYS);
        b.shutdown(Duration.ofSeconds(5));
        nodes.remove(b);

        List<String> expected = new ArrayList<>();
        for (int i = sent - MAX_KEYS; i < sent; i++) expected.add("a|k" + i);
        assertThat(storedKeys("b")).as("_idem entries in b's file").containsExactlyInAnyOrderElementsOf(expected);

        ReadRecordingStore restarted = new ReadRecordingStore(new SqliteStore(dir.resolve("b.db")));
        start(B, A, restarted);
        assertThat(restarted.idempotencyReads)
                .as("the start reads the newest keys only (Store.readNewestKeys, an index range in SQLite)")
                .containsExactly("readNewestKeys " + MAX_KEYS);
        handled.clear();
        int newest = sent - 1;
        a.send(keyed("k" + newest, "m" + newest)).processed().get(30, TimeUnit.SECONDS); // a duplicate
        a.send(keyed("k0", "m0")).processed().get(30, TimeUnit.SECONDS); // evicted long ago: processed again
        assertThat(handled).containsExactly("m0");
    }

    /** Records the reads of the idempotency keys' namespace. */
    private static final class ReadRecordingStore extends ForwardingStore {
        final List<String> idempotencyReads = new CopyOnWriteArrayList<>();

        ReadRecordingStore(Store delegate) {
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

    private List<String> storedKeys(String name) {
        try (SqliteStore store = new SqliteStore(dir.resolve(name + ".db"))) {
            store.open(Durability.FSYNC);
            List<String> keys = new ArrayList<>();
            for (KeyValue kv : store.readKeys("_idem", null, System.currentTimeMillis(), 100_000)) keys.add(kv.key());
            return keys;
        }
    }
}
