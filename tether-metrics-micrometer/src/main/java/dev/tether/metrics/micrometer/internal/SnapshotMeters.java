package dev.tether.metrics.micrometer.internal;

import dev.tether.CallStats;
import dev.tether.ChannelStats;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.PeerInfo;
import dev.tether.StreamStats;
import dev.tether.StreamStats.Direction;
import dev.tether.bus.EndpointStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * A node's statistics as meters, read from the latest {@link Snapshot}. Node-wide meters exist from the start;
 * meters per peer and per stream are registered when a snapshot first shows the peer or stream, up to the limits
 * (the tag cardinality bound), and removed when it no longer does. Peers beyond the limit are still in the node-wide
 * figures; streams beyond it are in their peer's totals, and their number is {@code tether.metrics.streams.untagged}.
 * Channels and endpoints are bounded the same way, their number beyond the limit {@code
 * tether.metrics.channels.untagged} and {@code tether.metrics.endpoints.untagged}.
 *
 * <p>Threading: {@link #update} runs on one thread (the poller); meters read the volatile snapshot on any thread.
 */
public final class SnapshotMeters {
    private final MeterRegistry registry;
    private final Tags node;
    private final int maxPeers;
    private final int maxStreams;
    private final int maxChannels;
    private final int maxEndpoints;
    private final MeterSet<SnapshotMeters> nodeMeters;
    private final Map<NodeId, List<MeterSet<SnapshotMeters>>> peerMeters = new HashMap<>();
    private final Map<StreamKey, MeterSet<SnapshotMeters>> streamMeters = new HashMap<>();
    private final Map<String, MeterSet<SnapshotMeters>> channelMeters = new HashMap<>();
    private final Map<String, MeterSet<SnapshotMeters>> endpointMeters = new HashMap<>();
    private volatile Snapshot current;
    private volatile Map<NodeId, PeerInfo> peers = Map.of();
    private volatile Map<StreamKey, StreamStats> streams = Map.of();
    private volatile Map<PeerDirection, Totals> totals = Map.of();
    private volatile Map<String, ChannelStats> channels = Map.of();
    private volatile Map<String, EndpointStats> endpoints = Map.of();
    private volatile long untagged;
    private volatile long untaggedChannels;
    private volatile long untaggedEndpoints;

    record StreamKey(NodeId peer, String lane, Direction direction) {}

    record PeerDirection(NodeId peer, Direction direction) {}

    /** Series limits as in {@code TetherMetrics.Builder}. */
    public record Limits(int peers, int streams, int channels, int endpoints) {}

    public SnapshotMeters(MeterRegistry registry, Tags node, Limits limits) {
        this.registry = registry;
        this.node = node;
        this.maxPeers = limits.peers();
        this.maxStreams = limits.streams();
        this.maxChannels = limits.channels();
        this.maxEndpoints = limits.endpoints();
        this.nodeMeters = NodeMeterNames.register(new MeterSet<>(registry, node, this))
                .gauge(
                        "tether.metrics.channels.untagged",
                        "Channels beyond the per-channel series limit",
                        s -> s.untaggedChannels)
                .gauge(
                        "tether.metrics.endpoints.untagged",
                        "Endpoints beyond the per-endpoint series limit",
                        s -> s.untaggedEndpoints);
    }

    /** Takes {@code s} as the current reading and adds or removes per-peer and per-stream meters to match it. */
    public void update(Snapshot s) {
        Map<StreamKey, StreamStats> st = new HashMap<>();
        Map<PeerDirection, Totals> t = new HashMap<>();
        for (StreamStats ss : s.stats().streams()) {
            st.put(new StreamKey(ss.peer(), ss.lane(), ss.direction()), ss);
            t.merge(new PeerDirection(ss.peer(), ss.direction()), Totals.NONE.plus(ss), (a, b) -> a.plus(ss));
        }
        Map<String, ChannelStats> ch = new LinkedHashMap<>();
        for (ChannelStats c : s.channels()) ch.put(c.channel(), c);
        streams = st;
        totals = t;
        channels = ch;
        endpoints = s.endpoints();
        current = s;
        if (!s.up()) return; // a closed node: its final counters; peers and series as last seen
        Map<NodeId, PeerInfo> p = new LinkedHashMap<>();
        for (PeerInfo i : s.peers()) p.put(i.id(), i);
        peers = p;
        syncPeers(p);
        untagged = sync(streamMeters, st, maxStreams, this::registerStream);
        untaggedChannels = sync(channelMeters, ch, maxChannels, this::registerChannel);
        untaggedEndpoints = sync(endpointMeters, byName(s.endpoints()), maxEndpoints, this::registerEndpoint);
    }

    /** Endpoints in name order when only some can have series (a stable choice), else as they are. */
    private Map<String, EndpointStats> byName(Map<String, EndpointStats> e) {
        return e.size() <= maxEndpoints || e instanceof SortedMap ? e : new TreeMap<>(e);
    }

    private void syncPeers(Map<NodeId, PeerInfo> p) {
        peerMeters.entrySet().removeIf(e -> {
            if (p.containsKey(e.getKey())) return false;
            e.getValue().forEach(MeterSet::remove);
            return true;
        });
        for (NodeId id : p.keySet()) {
            if (peerMeters.size() >= maxPeers) break;
            peerMeters.computeIfAbsent(id, this::registerPeer);
        }
    }

    /**
     * Removes the series of things {@code now} no longer has, registers series for new ones in {@code now}'s order up
     * to {@code max}; returns how many of {@code now} have none.
     */
    private static <K> long sync(
            Map<K, MeterSet<SnapshotMeters>> meters,
            Map<K, ?> now,
            int max,
            Function<K, MeterSet<SnapshotMeters>> register) {
        meters.entrySet().removeIf(e -> {
            if (now.containsKey(e.getKey())) return false;
            e.getValue().remove();
            return true;
        });
        for (K k : now.keySet()) {
            if (meters.size() >= max) break;
            meters.computeIfAbsent(k, register);
        }
        return now.size() - meters.size();
    }

    private List<MeterSet<SnapshotMeters>> registerPeer(NodeId id) {
        Tags tags = node.and("peer", id.value());
        MeterSet<SnapshotMeters> info = new MeterSet<>(registry, tags, this)
                .gauge(
                        "tether.peer.connected",
                        "1 if the peer is connected, else 0",
                        s -> s.peer(id, i -> i.connected() ? 1 : 0))
                .seconds(
                        "tether.peer.round.trip",
                        "Last measured round-trip time to the peer",
                        s -> s.peer(id, i -> seconds(i.roundTrip())))
                .gauge(
                        "tether.peer.unacknowledged",
                        "Messages sent to the peer, not yet acknowledged",
                        s -> s.peer(id, PeerInfo::unacknowledged));
        MeterSet<SnapshotMeters> out = TotalsMeterNames.register(
                new MeterSet<>(registry, tags.and("direction", "out"), this), id, Direction.OUTBOUND);
        MeterSet<SnapshotMeters> in = TotalsMeterNames.register(
                new MeterSet<>(registry, tags.and("direction", "in"), this), id, Direction.INBOUND);
        return List.of(info, out, in);
    }

    private MeterSet<SnapshotMeters> registerStream(StreamKey k) {
        Tags tags = node.and("peer", k.peer().value()).and("lane", k.lane()).and("direction", direction(k.direction()));
        return StreamMeterNames.register(new MeterSet<>(registry, tags, this), k);
    }

    private MeterSet<SnapshotMeters> registerChannel(String channel) {
        return ChannelMeterNames.channel(new MeterSet<>(registry, node.and("channel", channel), this), channel);
    }

    private MeterSet<SnapshotMeters> registerEndpoint(String name) {
        return ChannelMeterNames.endpoint(new MeterSet<>(registry, node.and("endpoint", name), this), name);
    }

    /** Removes every meter this node registered. */
    public void close() {
        peerMeters.values().forEach(sets -> sets.forEach(MeterSet::remove));
        peerMeters.clear();
        for (Map<?, MeterSet<SnapshotMeters>> m : List.of(streamMeters, channelMeters, endpointMeters)) {
            m.values().forEach(MeterSet::remove);
            m.clear();
        }
        nodeMeters.remove();
    }

    // ---- reads, on any thread -------------------------------------------------------------------------

    double node(ToDoubleFunction<NodeStats> f) {
        Snapshot s = current;
        return s == null ? 0 : f.applyAsDouble(s.stats());
    }

    double calls(ToDoubleFunction<CallStats> f) {
        Snapshot s = current;
        return s == null ? 0 : f.applyAsDouble(s.stats().calls());
    }

    double up() {
        Snapshot s = current;
        return s != null && s.up() ? 1 : 0;
    }

    double untagged() {
        return untagged;
    }

    double peer(NodeId id, ToDoubleFunction<PeerInfo> f) {
        PeerInfo i = peers.get(id);
        return i == null ? Double.NaN : f.applyAsDouble(i);
    }

    double totals(NodeId id, Direction d, ToDoubleFunction<Totals> f) {
        return f.applyAsDouble(totals.getOrDefault(new PeerDirection(id, d), Totals.NONE));
    }

    double stream(StreamKey k, ToDoubleFunction<StreamStats> f) {
        StreamStats s = streams.get(k);
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    double channel(String c, ToDoubleFunction<ChannelStats> f) {
        ChannelStats s = channels.get(c);
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    double endpoint(String e, ToDoubleFunction<EndpointStats> f) {
        EndpointStats s = endpoints.get(e);
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    static String direction(Direction d) {
        return d == Direction.OUTBOUND ? "out" : "in";
    }

    private static double seconds(java.time.Duration d) {
        return d == null ? Double.NaN : d.toNanos() / 1e9;
    }
}
