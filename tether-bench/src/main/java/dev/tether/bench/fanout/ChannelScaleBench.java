package dev.tether.bench.fanout;

import dev.tether.ChannelRole;
import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bench.measure.LiveHeap;
import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Channels at scale (issue 10, "Speed": 64 readers on one channel, 1,000 channels with one reader each), in one JVM
 * over the in-memory transport with in-memory stores, so that what is measured is Tether's per-reader and per-channel
 * cost rather than the network's. Two curves, each against its peer in the same run:
 *
 * <ul>
 *   <li>{@code readers}: one publisher and R reader nodes on one channel; a round publishes {@code --messages} and ends
 *       when every reader has every message. Peer ({@code copies}): the same publisher sends each message to every
 *       reader on a plain stream, the fan-out an application would build without channels (R stored copies).
 *   <li>{@code channels}: one publisher and one reader node that joined K channels; a round publishes {@code
 *       --messages} round-robin over the channels. Peer ({@code lanes}): the same messages sent on K lanes of plain
 *       streams.
 * </ul>
 *
 * Figures: publishes (or sends) per second, deliveries per second, CPU per delivery (this JVM: every node), and the
 * live heap the scenario's nodes hold after its rounds (live heap then, nodes still running, minus live heap before
 * they started). Warm-up rounds by {@link Steady}'s rule.
 *
 * <p>{@code scripts/bench channel-scale [--readers 1,4,16,64] [--channels 1,10,100,1000] [--messages 50000] [--repeat
 * 5] [--max-warmup 6] [--only readers,copies,channels,lanes] [--outstanding 8192]}.
 */
public final class ChannelScaleBench {
    private static final String CHANNEL = "bench";
    private static final NodeId PUBLISHER = NodeId.of("scale-publisher");
    private static final int PAYLOAD = 100;
    private static final long AWAIT_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** One scenario's result: its rounds, deliveries per publish and the live heap its nodes hold after them. */
    record Result(String scenario, int fanOut, int deliveriesPerPublish, Series series, long liveHeap) {}

    private final int messages;
    private final int repeat;
    private final int maxWarmUp;
    private final int outstanding;

    private ChannelScaleBench(Map<String, String> o) {
        messages = Integer.parseInt(o.getOrDefault("messages", "50000"));
        repeat = Integer.parseInt(o.getOrDefault("repeat", String.valueOf(Steady.REPEAT)));
        maxWarmUp = Integer.parseInt(o.getOrDefault("max-warmup", String.valueOf(Steady.MAX_WARM_UP)));
        outstanding = Integer.parseInt(o.getOrDefault("outstanding", "8192"));
    }

    public static void main(String[] args) throws Exception {
        List<Result> results = run(FanoutBench.options(args));
        System.out.println();
        System.out.println(
                "| scenario | readers or channels | publishes/s (median, range) | deliveries/s | CPU per delivery"
                        + " | live heap | load |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result r : results) {
            Series s = r.series();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %s (%s - %s) | %s | %.2f µs | %.1f MB | %s |%n",
                    r.scenario(),
                    r.fanOut(),
                    Steady.rate(s.median()),
                    Steady.rate(s.min()),
                    Steady.rate(s.max()),
                    Steady.rate(s.median() * r.deliveriesPerPublish()),
                    s.cpuMedian() / 1e3 / r.deliveriesPerPublish(),
                    r.liveHeap() / 1e6,
                    s.loadText());
        }
        System.exit(0);
    }

    /** Runs the scenarios of {@code --only} for every size; a scenario that loses a message throws. */
    static List<Result> run(Map<String, String> o) throws Exception {
        ChannelScaleBench b = new ChannelScaleBench(o);
        List<String> only =
                List.of(o.getOrDefault("only", "readers,copies,channels,lanes").split(","));
        List<Integer> readers = sizes(o.getOrDefault("readers", "1,4,16,64"));
        List<Integer> channels = sizes(o.getOrDefault("channels", "1,10,100,1000"));
        System.out.printf(
                Locale.ROOT,
                "channel scale: in-memory transport and stores, %,d messages of %d bytes per round, %d cores, load %s%n",
                b.messages,
                PAYLOAD,
                Runtime.getRuntime().availableProcessors(),
                Load.now());
        List<Result> results = new ArrayList<>();
        for (String s : only) {
            List<Integer> sizes = s.equals("readers") || s.equals("copies") ? readers : channels;
            for (int n : sizes) {
                results.add(
                        switch (s) {
                            case "readers" -> b.scenario(s, n, 1, n, true);
                            case "copies" -> b.scenario(s, n, 1, n, false);
                            case "channels" -> b.scenario(s, n, n, 1, true);
                            case "lanes" -> b.scenario(s, n, n, 1, false);
                            default -> throw new IllegalArgumentException("unknown scenario " + s);
                        });
            }
        }
        return results;
    }

    private static List<Integer> sizes(String list) {
        List<Integer> l = new ArrayList<>();
        for (String s : list.split(",")) l.add(Integer.parseInt(s.trim()));
        return l;
    }

    /**
     * One publisher and {@code readerCount} readers, messages spread over {@code topics} channels (or lanes): over
     * channels if {@code channels}, else as plain sends (one per reader and message).
     */
    private Result scenario(String name, int size, int topics, int readerCount, boolean channels) throws Exception {
        long heapBefore = LiveHeap.bytes();
        InMemoryNetwork net = new InMemoryNetwork();
        List<NodeId> readerIds = new ArrayList<>();
        for (int i = 0; i < readerCount; i++) readerIds.add(NodeId.of("scale-reader-" + i));
        List<AtomicLong> counts = new ArrayList<>();
        List<TetherNode> nodes = new ArrayList<>();
        try {
            for (NodeId id : readerIds) {
                AtomicLong count = new AtomicLong();
                counts.add(count);
                nodes.add(Tether.start(config(net, id, List.of(PUBLISHER))
                        .handler((Delivery d) -> count.incrementAndGet())
                        .build()));
            }
            TetherNode publisher =
                    Tether.start(config(net, PUBLISHER, readerIds).build());
            nodes.add(publisher);
            if (channels) join(publisher, nodes.subList(0, readerCount), topics);
            Series s = Steady.run(name + "-" + size, maxWarmUp, repeat, Steady::rate, () -> {
                for (AtomicLong c : counts) c.set(0);
                Meter m = Meter.start();
                long start = System.nanoTime();
                publish(publisher, readerIds, topics, channels);
                awaitAll(counts, messages, name);
                return m.rate(messages, System.nanoTime() - start);
            });
            return new Result(name, size, readerCount, s, LiveHeap.bytes() - heapBefore);
        } finally {
            for (TetherNode n : nodes) n.close();
        }
    }

    private static TetherConfig.Builder config(InMemoryNetwork net, NodeId self, List<NodeId> peers) {
        return TetherConfig.builder(self)
                .peers(peers)
                .transport(net.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .window(8192);
    }

    /** Readers join first (READ), then the publisher (WRITE), on every channel. */
    private static void join(TetherNode publisher, List<TetherNode> readers, int topics) throws Exception {
        List<CompletableFuture<Void>> joins = new ArrayList<>();
        for (TetherNode r : readers) {
            for (int t = 0; t < topics; t++) joins.add(r.join(channel(t, topics), ChannelRole.READ));
        }
        for (CompletableFuture<Void> j : joins) j.get(5, TimeUnit.MINUTES);
        joins.clear();
        for (int t = 0; t < topics; t++) joins.add(publisher.join(channel(t, topics), ChannelRole.WRITE));
        for (CompletableFuture<Void> j : joins) j.get(5, TimeUnit.MINUTES);
    }

    private static String channel(int t, int topics) {
        return topics == 1 ? CHANNEL : CHANNEL + "-" + t;
    }

    /** Publishes (or sends to every reader) {@link #messages} with at most {@link #outstanding} not yet stored. */
    private void publish(TetherNode publisher, List<NodeId> readers, int topics, boolean channels) throws Exception {
        Semaphore window = new Semaphore(outstanding);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CompletableFuture<?> last = null;
        for (int i = 0; i < messages; i++) {
            int t = i % topics;
            byte[] payload = new byte[PAYLOAD];
            if (channels) {
                window.acquire();
                CompletableFuture<MessageId> f = publisher.publish(channel(t, topics), payload);
                last = track(f, window, failure);
            } else {
                for (NodeId r : readers) {
                    window.acquire();
                    last = track(publisher.send(r, "lane-" + t, payload).accepted(), window, failure);
                }
            }
        }
        if (last != null) last.get(5, TimeUnit.MINUTES);
        if (failure.get() != null) throw new IllegalStateException("a publish failed", failure.get());
    }

    private static CompletableFuture<?> track(
            CompletableFuture<?> f, Semaphore window, AtomicReference<Throwable> failure) {
        f.whenComplete((v, e) -> {
            if (e != null) failure.compareAndSet(null, e);
            window.release();
        });
        return f;
    }

    private static void awaitAll(List<AtomicLong> counts, long expected, String name) {
        long deadline = System.nanoTime() + AWAIT_NANOS;
        for (AtomicLong c : counts) {
            while (c.get() < expected && System.nanoTime() < deadline) LockSupport.parkNanos(200_000);
            if (c.get() != expected) {
                throw new IllegalStateException(name + ": a reader got " + c.get() + " of " + expected + " messages");
            }
        }
    }
}
