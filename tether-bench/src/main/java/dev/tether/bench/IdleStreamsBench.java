package dev.tether.bench;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.bench.measure.LiveHeap;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Heap per idle stream (issue 14 item 4): two nodes in this JVM over the in-memory transport, one message sent and
 * processed on each of {@code --streams} lanes, then the live heap after a full GC, against the same with {@code
 * --base} lanes; the difference divided by the difference in lanes is what one idle stream costs, both ends and
 * both stores together (the sender's outbound stream, the receiver's inbound one and their store rows kept on the
 * heap). SQLite files go to a temporary directory, left for inspection. Usage: {@code scripts/bench idle [--streams N] [--base N] [--store memory|sqlite]}.
 */
public final class IdleStreamsBench {
    private static final NodeId A = NodeId.of("idle-a");
    private static final NodeId B = NodeId.of("idle-b");

    public static void main(String[] args) throws Exception {
        int streams = 20_000;
        int base = 1_000;
        String store = "memory";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--streams" -> streams = Integer.parseInt(args[i + 1]);
                case "--base" -> base = Integer.parseInt(args[i + 1]);
                case "--store" -> store = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("tether-idle-");
        long baseHeap = liveHeapWith(base, store, dir.resolve("base"));
        long heap = liveHeapWith(streams, store, dir.resolve("streams"));
        System.out.printf(
                Locale.ROOT,
                "store %s: live heap %,d bytes with %,d idle streams, %,d with %,d: %,.0f bytes per idle stream"
                        + " (both ends, both stores)%n",
                store,
                baseHeap,
                base,
                heap,
                streams,
                (heap - baseHeap) / (double) (streams - base));
    }

    /**
     * Live heap after a full GC with {@code lanes} streams between two nodes, each with one message processed; SQLite
     * files (if any) go into {@code dir}.
     */
    static long liveHeapWith(int lanes, String store, Path dir) throws Exception {
        InMemoryNetwork net = new InMemoryNetwork();
        Files.createDirectories(dir);
        TetherNode b = Tether.start(config(net, B, A, store, dir));
        try (TetherNode a = Tether.start(config(net, A, B, store, dir))) {
            List<CompletableFuture<Outcome>> done = new ArrayList<>(lanes);
            for (int i = 0; i < lanes; i++)
                done.add(a.send(B, "lane-" + i, new byte[100]).processed());
            for (CompletableFuture<Outcome> f : done) f.get(5, TimeUnit.MINUTES);
            done.clear();
            return LiveHeap.bytes();
        } finally {
            b.close();
        }
    }

    private static TetherConfig config(InMemoryNetwork net, NodeId self, NodeId peer, String store, Path dir) {
        Store s = store.equals("sqlite") ? new SqliteStore(dir.resolve(self + ".db")) : new InMemoryStore();
        TetherConfig.Builder c = TetherConfig.builder(self)
                .peers(peer)
                .transport(net.newTransport())
                .store(s)
                .durability(store.equals("sqlite") ? Durability.OS_BUFFERED : Durability.MEMORY);
        if (self.equals(B)) c.handler(m -> {});
        return c.build();
    }
}
