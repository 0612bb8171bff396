package dev.tether.metrics.micrometer.internal;

import dev.tether.ChannelStats;
import dev.tether.NodeStats;
import dev.tether.PeerInfo;
import dev.tether.TetherException;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.EndpointStats;
import dev.tether.node.Tether;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads a node's statistics, peers, channels and endpoints on its own thread, every interval, and hands them to {@link SnapshotMeters}:
 * a scrape then only reads numbers and never waits for the node. A node that no longer answers (closed) keeps its
 * last figures and reads as down.
 */
public final class Poller implements AutoCloseable {
    private final TetherNode node;
    private final SnapshotMeters meters;
    private final ScheduledExecutorService thread;
    /** The node's bus, or null if {@code Tether.bus} does not know the node (a wrapper): no endpoint figures then. */
    private final Bus bus;

    private NodeStats last;
    private List<ChannelStats> lastChannels = List.of();
    private Map<String, EndpointStats> lastEndpoints = Map.of();

    public Poller(TetherNode node, SnapshotMeters meters, Duration interval) {
        this.node = node;
        this.meters = meters;
        this.bus = busOf(node);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tether-metrics-" + node.id());
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        thread.scheduleWithFixedDelay(this::pollQuietly, 0, ms, TimeUnit.MILLISECONDS);
    }

    /** Reads the node now, on the poller's thread, and returns when the meters show it. */
    public void pollNow() {
        try {
            thread.submit(this::pollQuietly).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("metrics poll failed", e.getCause());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("metrics of node " + node.id() + " were closed", e);
        }
    }

    private void pollQuietly() {
        NodeStats stats = last;
        try {
            stats = node.stats(); // a closed node still answers this with its final figures
            last = stats;
            List<PeerInfo> peers = node.peers();
            lastChannels = node.channelStats();
            lastEndpoints = endpoints();
            meters.update(new Snapshot(stats, peers, lastChannels, lastEndpoints, true));
        } catch (TetherException | IllegalStateException e) {
            // A closed node (peers() refuses): keep the last figures, and say it is down.
            if (stats != null) meters.update(new Snapshot(stats, List.of(), lastChannels, lastEndpoints, false));
        }
    }

    private Map<String, EndpointStats> endpoints() {
        if (bus == null) return Map.of();
        Map<String, EndpointStats> m = new HashMap<>();
        for (Address a : bus.endpoints()) bus.find(a.agent()).ifPresent(e -> m.put(a.agent(), e.stats()));
        return m;
    }

    private static Bus busOf(TetherNode node) {
        try {
            return Tether.bus(node);
        } catch (IllegalArgumentException notStartedByTether) {
            return null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
