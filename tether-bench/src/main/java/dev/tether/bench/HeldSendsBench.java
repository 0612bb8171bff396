package dev.tether.bench;

import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bench.measure.Load;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Heap per outstanding send, by class: one node sends {@code --sends} messages of {@code --payload} bytes over {@code
 * --lanes} lanes to a peer that never comes up (so none is acknowledged), the way the throughput benches send (no
 * receipt kept), waits until each lane's last send is accepted, then takes the JVM's class histogram of live objects
 * ({@code jcmd <pid> GC.class_histogram}, which collects first) and subtracts the one taken before the sends. Each
 * class's difference divided by the sends is what one outstanding send costs in it. Keep the sends per lane within
 * the sender's page (2,048 at the default window) for every message to be cached, as it is while transmitted and not
 * yet acknowledged. Usage: {@code scripts/bench held [--sends 100000] [--lanes 100] [--payload 100] [--store
 * memory|sqlite] [--top 12]}.
 */
public final class HeldSendsBench {
    private static final NodeId A = NodeId.of("held-a");
    private static final NodeId B = NodeId.of("held-b");

    private HeldSendsBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = BusBench.options(List.of("--sends", "--lanes", "--payload", "--store", "--top"), args);
        int sends = Integer.parseInt(a.getOrDefault("--sends", "100000"));
        int lanes = Integer.parseInt(a.getOrDefault("--lanes", "100"));
        int payload = Integer.parseInt(a.getOrDefault("--payload", "100"));
        String store = a.getOrDefault("--store", "memory");
        int top = Integer.parseInt(a.getOrDefault("--top", "12"));
        Path dir = Files.createTempDirectory("tether-held-");
        Store s = store.equals("sqlite") ? new SqliteStore(dir.resolve("a.db")) : new InMemoryStore();
        TetherConfig config = TetherConfig.builder(A)
                .peers(B)
                .transport(new InMemoryNetwork().newTransport())
                .store(s)
                .durability(store.equals("sqlite") ? Durability.OS_BUFFERED : Durability.MEMORY)
                .build();
        try (TetherNode node = Tether.start(config)) {
            String[] names = new String[lanes];
            for (int i = 0; i < lanes; i++) names[i] = "lane-" + i;
            node.send(B, names[0], new byte[payload]).accepted().get(1, TimeUnit.MINUTES); // the stream's structures
            Map<String, long[]> before = histogram();
            List<CompletableFuture<MessageId>> last = new ArrayList<>();
            for (int i = 1; i <= sends; i++) {
                var r = node.send(B, names[i % lanes], new byte[payload]);
                if (i > sends - lanes) last.add(r.accepted());
            }
            for (CompletableFuture<MessageId> f : last) f.get(5, TimeUnit.MINUTES);
            last.clear();
            Map<String, long[]> after = histogram();
            String title = String.format(
                    Locale.ROOT,
                    "held sends: %,d sends of %d B over %d lanes to a peer that never comes up, store %s",
                    sends,
                    payload,
                    lanes,
                    store);
            report(title, "send", before, after, sends, top);
        }
    }

    /**
     * Prints the live heap {@code after} minus {@code before}, by class, per {@code unit} ({@code count} of them): the
     * {@code top} classes by bytes and the sum of all.
     */
    static void report(
            String title, String unit, Map<String, long[]> before, Map<String, long[]> after, int count, int top) {
        List<Map.Entry<String, long[]>> diff = new ArrayList<>();
        long objects = 0;
        long bytes = 0;
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
            objects += d[0];
            bytes += d[1];
            diff.add(Map.entry(e.getKey(), d));
        }
        diff.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        System.out.printf(Locale.ROOT, "# %s, %s; load %s%n", title, System.getProperty("java.vm.version"), Load.now());
        System.out.println("| class | objects per " + unit + " | bytes per " + unit + " |");
        System.out.println("|---|---|---|");
        for (Map.Entry<String, long[]> e : diff.subList(0, Math.min(top, diff.size()))) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.3f | %.1f |%n",
                    e.getKey(),
                    e.getValue()[0] / (double) count,
                    e.getValue()[1] / (double) count);
        }
        System.out.printf(
                Locale.ROOT,
                "| **all classes** | **%.3f** | **%.1f** |%n",
                objects / (double) count,
                bytes / (double) count);
    }

    /** Live objects by class: instances and bytes ({@code jcmd GC.class_histogram} collects first). */
    static Map<String, long[]> histogram() throws Exception {
        Process p = new ProcessBuilder(
                        "jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        Map<String, long[]> h = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 4 || !f[0].endsWith(":")) continue;
                h.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        if (p.waitFor() != 0 || h.isEmpty()) throw new IllegalStateException("jcmd GC.class_histogram failed");
        return h;
    }
}
