package dev.tether.metrics.micrometer;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.metrics.micrometer.internal.CommitMeters;
import dev.tether.metrics.micrometer.internal.Poller;
import dev.tether.metrics.micrometer.internal.SnapshotMeters;
import dev.tether.spi.CommitObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Objects;

/**
 * A Tether node's figures as Micrometer meters, every one tagged {@code node=<id>}:
 *
 * <ul>
 *   <li>node-wide: every counter and gauge of {@code NodeStats} and {@code CallStats} ({@code tether.messages.*},
 *       {@code tether.calls.*}, {@code tether.node.up}, ...);
 *   <li>per peer (tag {@code peer}): connected, round-trip time, unacknowledged messages, and per direction (tag
 *       {@code direction=out|in}) the sums over all the peer's streams;
 *   <li>per stream (tags {@code peer}, {@code lane}, {@code direction}): cursor, last sequence, queued, in flight,
 *       sent, delivered...;
 *   <li>per channel (tag {@code channel}): membership, readers, held, published, rejected, delivered, missed, endpoint
 *       copies ({@code ChannelStats});
 *   <li>per endpoint of the node's bus (tag {@code endpoint}): sent, received, processed, failed, redeliveries,
 *       refused ({@code EndpointStats}; none for a node {@code Tether.bus} does not know, such as a wrapper);
 *   <li>store commits: {@code tether.store.commit} (timer per {@code result}), {@code tether.store.batch.entries}
 *       and {@code tether.store.batch.messages} (distributions), with percentile histograms.
 * </ul>
 *
 * <p><b>Bounded tags.</b> Lanes are application data, so a node with ten thousand lanes would make ten thousand
 * series per meter: at most {@link Builder#maxStreamSeries} streams (default 100) get their own series, the first
 * ones seen; the rest are counted in their peer's totals and their number is {@code
 * tether.metrics.streams.untagged}. Peers are bounded by {@link Builder#maxPeerSeries} (default 1,000), channels by
 * {@link Builder#maxChannelSeries} and endpoints by {@link Builder#maxEndpointSeries} (default 100 each, the number
 * beyond in {@code tether.metrics.channels.untagged} and {@code tether.metrics.endpoints.untagged}); node-wide
 * figures always include everything. Series of a peer, stream, channel or endpoint the node no longer reports are
 * removed.
 *
 * <p><b>Use.</b> Create it before the node, give {@link #commitObserver()} to {@code
 * TetherConfig.Builder.commitObserver}, start the node, then {@link #watch} it:
 *
 * <pre>{@code
 * TetherMetrics metrics = TetherMetrics.builder(nodeId, registry).build();
 * TetherNode node = Tether.start(config.commitObserver(metrics.commitObserver()).build());
 * metrics.watch(node);
 * }</pre>
 *
 * <p><b>Threading.</b> A daemon thread reads the node's statistics (and channels, endpoints) every {@link Builder#refreshInterval} (default 1
 * s); a scrape reads the last reading and never waits for the node, so figures lag by up to one interval. Commit
 * meters are recorded on the node's store thread as commits end. After the node closes its last figures remain and
 * {@code tether.node.up} reads 0. {@link #close()} stops the thread and removes every meter of this node.
 */
public final class TetherMetrics implements AutoCloseable {
    private final NodeId nodeId;
    private final MeterRegistry registry;
    private final Tags tags;
    private final CommitMeters commits;
    private final SnapshotMeters.Limits limits;
    private final Duration interval;
    private SnapshotMeters meters;
    private Poller poller;
    private Counter pollFailures;

    private TetherMetrics(Builder b) {
        this.nodeId = b.nodeId;
        this.registry = b.registry;
        this.tags = Tags.of("node", b.nodeId.value());
        this.commits = new CommitMeters(b.registry, tags);
        this.limits =
                new SnapshotMeters.Limits(b.maxPeerSeries, b.maxStreamSeries, b.maxChannelSeries, b.maxEndpointSeries);
        this.interval = b.refreshInterval;
    }

    /** A builder for the metrics of node {@code nodeId}, registered in {@code registry}. */
    public static Builder builder(NodeId nodeId, MeterRegistry registry) {
        return new Builder(nodeId, registry);
    }

    /** The observer to give to {@code TetherConfig.Builder.commitObserver}: records every store commit. */
    public CommitObserver commitObserver() {
        return commits;
    }

    /**
     * Starts reading {@code node}'s statistics and peers into meters; returns this.
     *
     * @throws IllegalArgumentException if {@code node} is not the node these metrics were built for
     * @throws IllegalStateException if a node is watched already, or these metrics were closed
     */
    public synchronized TetherMetrics watch(TetherNode node) {
        if (!node.id().equals(nodeId)) {
            throw new IllegalArgumentException("these metrics are for node " + nodeId + ", not " + node.id());
        }
        if (meters != null) throw new IllegalStateException("node " + nodeId + " is watched already");
        meters = new SnapshotMeters(registry, tags, limits);
        pollFailures = Counter.builder("tether.metrics.poll.failures")
                .description("Polls of the node's figures that failed unexpectedly; the next poll runs as usual")
                .tags(tags)
                .register(registry);
        poller = new Poller(node, meters, interval, pollFailures);
        return this;
    }

    /**
     * Reads the node now and returns when the meters show it, instead of waiting for the next interval (a test, or
     * a scrape that must see the latest figures).
     *
     * @throws IllegalStateException if no node is watched, or these metrics were closed
     */
    public void refresh() {
        Poller p;
        synchronized (this) {
            p = poller;
        }
        if (p == null) throw new IllegalStateException("no node is watched: call watch(node) first");
        p.pollNow();
    }

    /** Stops reading the node and removes every meter of this node from the registry. Idempotent. */
    @Override
    public synchronized void close() {
        if (poller != null) poller.close();
        if (meters != null) meters.close();
        if (pollFailures != null) registry.remove(pollFailures);
        commits.close();
        pollFailures = null;
        poller = null;
        meters = null;
    }

    /** Settings of {@link TetherMetrics}. Not thread-safe. */
    public static final class Builder {
        private final NodeId nodeId;
        private final MeterRegistry registry;
        private int maxPeerSeries = 1_000;
        private int maxStreamSeries = 100;
        private int maxChannelSeries = 100;
        private int maxEndpointSeries = 100;
        private Duration refreshInterval = Duration.ofSeconds(1);

        private Builder(NodeId nodeId, MeterRegistry registry) {
            this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** At most this many peers get series of their own; default 1,000. 0 turns per-peer series off. */
        public Builder maxPeerSeries(int max) {
            if (max < 0) throw new IllegalArgumentException("maxPeerSeries must not be negative: " + max);
            this.maxPeerSeries = max;
            return this;
        }

        /** At most this many streams get series of their own; default 100. 0 turns per-stream series off. */
        public Builder maxStreamSeries(int max) {
            if (max < 0) throw new IllegalArgumentException("maxStreamSeries must not be negative: " + max);
            this.maxStreamSeries = max;
            return this;
        }

        /** At most this many channels get series of their own; default 100. 0 turns per-channel series off. */
        public Builder maxChannelSeries(int max) {
            if (max < 0) throw new IllegalArgumentException("maxChannelSeries must not be negative: " + max);
            this.maxChannelSeries = max;
            return this;
        }

        /** At most this many endpoints get series of their own; default 100. 0 turns per-endpoint series off. */
        public Builder maxEndpointSeries(int max) {
            if (max < 0) throw new IllegalArgumentException("maxEndpointSeries must not be negative: " + max);
            this.maxEndpointSeries = max;
            return this;
        }

        /** How often the node's statistics are read; default 1 s. */
        public Builder refreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "refreshInterval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("refreshInterval must be positive: " + interval);
            }
            this.refreshInterval = interval;
            return this;
        }

        /** The metrics, with the commit meters registered; call {@link TetherMetrics#watch} once the node runs. */
        public TetherMetrics build() {
            return new TetherMetrics(this);
        }
    }
}
