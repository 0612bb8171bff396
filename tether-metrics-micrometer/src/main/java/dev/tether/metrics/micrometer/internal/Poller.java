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
import io.micrometer.core.instrument.Counter;
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
 * last figures and reads as down. A poll that fails otherwise (a bug, or a meter filter of the application that
 * throws) is counted in {@code failures}, logged (once per distinct reason), and the next poll runs as usual: an
 * exception escaping a {@code scheduleWithFixedDelay} task would cancel it, and the meters would freeze unnoticed.
 */
public final class Poller implements AutoCloseable {
    private final TetherNode node;
    private final SnapshotMeters meters;
    private static final System.Logger LOG = System.getLogger(Poller.class.getName());

    private final ScheduledExecutorService thread;
    private final Counter failures;
    /** The reason of the last failure logged, so that a failure recurring at every poll is logged once. */
    private String lastFailure;
    /** The node's bus, or null if {@code Tether.bus} does not know the node (a wrapper): no endpoint figures then. */
    private final Bus bus;

    private NodeStats last;
    private List<ChannelStats> lastChannels = List.of();
    private Map<String, EndpointStats> lastEndpoints = Map.of();

    public Poller(TetherNode node, SnapshotMeters meters, Duration interval, Counter failures) {
        this.node = node;
        this.failures = failures;
        this.meters = meters;
        this.bus = busOf(node);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tether-metrics-" + node.id());
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        thread.scheduleWithFixedDelay(this::pollReporting, 0, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Reads the node now, on the poller's thread, and returns when the meters show it.
     *
     * @throws IllegalStateException if the poll failed (counted and logged as a scheduled one is)
     */
    public void pollNow() {
        try {
            thread.submit(() -> {
                        RuntimeException failure = pollReporting();
                        if (failure != null) throw failure;
                    })
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(
                    "metrics poll of node " + node.id() + " failed: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("metrics of node " + node.id() + " were closed", e);
        }
    }

    /** Polls; a failure is counted and logged, and returned (null if none): it never escapes to the executor. */
    private RuntimeException pollReporting() {
        try {
            pollQuietly();
            lastFailure = null;
            return null;
        } catch (RuntimeException e) {
            failures.increment();
            String reason = String.valueOf(e);
            if (!reason.equals(lastFailure)) {
                lastFailure = reason;
                LOG.log(
                        System.Logger.Level.WARNING,
                        "metrics of node " + node.id() + ": a poll failed (counted in tether.metrics.poll.failures;"
                                + " the meters keep their last figures until a poll succeeds): " + reason,
                        e);
            }
            return e;
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
