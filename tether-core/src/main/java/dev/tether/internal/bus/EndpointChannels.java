package dev.tether.internal.bus;

import dev.tether.ChannelRole;
import dev.tether.ChannelRoleException;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.PeerInfo;
import dev.tether.SendReceipt;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.WithEffects;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Endpoints on channels (docs/BUS-DESIGN.md, section 10, step 11): which endpoint of this node joined which channel
 * and how, the node's own membership made for them, publishes and broadcasts by endpoints, and the fan-out of each
 * channel message to the joined endpoints ({@link EndpointFanOut}). A publish by an endpoint is a message on this
 * node's loopback publish lane {@value EndpointLanes#PUBLISH_LANE}; consuming it numbers it in this node's log of the
 * channel and copies it to this node's other joined endpoints, all in the batch of its settlement. A durable endpoint's
 * memberships are stored (namespace {@value #MEMBERS}), as are the channels the node joined for its endpoints
 * ({@value #NODE}). Thread-safe.
 */
final class EndpointChannels {
    /** Stored memberships of durable endpoints: key {@code <channel>/<agent>}, value the role's name. */
    static final String MEMBERS = "_endpoint_channels";
    /** Channels this node joined for its endpoints (not by the application): key the channel, value empty. */
    static final String NODE = "_endpoint_channel_nodes";

    private final BusLayer bus;
    private final NodeRuntime runtime;
    private final NodeChannels channels;
    private final BooleanSupplier stopped;
    /** Per channel, the endpoints that joined it and their roles. */
    private final ConcurrentHashMap<String, Map<String, ChannelRole>> members = new ConcurrentHashMap<>();
    /** Per channel, the copies made for this node's endpoints (statistics). */
    private final ConcurrentHashMap<String, LongAdder> copiesMade = new ConcurrentHashMap<>();
    /** The channels this node joined for its endpoints only. */
    private final Set<String> forEndpoints = ConcurrentHashMap.newKeySet();

    /** Consumes this node's endpoints' publishes: numbered in the log with their local copies, one batch. */
    private final MessageConsumer refusedPublish = new MessageConsumer() {
        @Override
        public Executor executor() {
            return ANY_THREAD;
        }

        @Override
        public void consume(RoutedDelivery d) {
            String channel = d.headers().get(EndpointLanes.CHANNEL);
            RuntimeException r = channel == null ? null : refusal(channel);
            d.deadLetter("publish on channel '" + channel + "' refused: " + (r == null ? "invalid" : r.getMessage()));
        }
    };

    EndpointChannels(BusLayer bus, NodeRuntime runtime, NodeChannels channels, BooleanSupplier stopped) {
        this.bus = bus;
        this.runtime = runtime;
        this.channels = channels;
        this.stopped = stopped;
        for (Map.Entry<String, byte[]> e :
                runtime.channels().storedKeys(MEMBERS).join().entrySet()) {
            int slash = e.getKey().indexOf('/');
            ChannelRole role = role(new String(e.getValue(), StandardCharsets.UTF_8));
            if (slash <= 0 || role == null) continue; // not written by this class
            members.computeIfAbsent(e.getKey().substring(0, slash), c -> new ConcurrentHashMap<>())
                    .put(e.getKey().substring(slash + 1), role);
        }
        forEndpoints.addAll(runtime.channels().storedKeys(NODE).join().keySet());
    }

    private static ChannelRole role(String name) {
        try {
            return ChannelRole.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---- memberships ----

    /** Endpoint {@code agent} (durable or not) joins {@code channel} as {@code role}. */
    CompletableFuture<Void> join(String agent, boolean durable, String channel, ChannelRole role) {
        Channels.requireApplicationChannel(channel);
        Objects.requireNonNull(role, "role");
        synchronized (this) {
            if (durable) {
                StoredKeys.write(
                        runtime,
                        stopped,
                        ChannelPort.putKey(
                                MEMBERS, channel + "/" + agent, role.name().getBytes(StandardCharsets.UTF_8)),
                        "channel membership of endpoint " + agent);
            }
            members.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(agent, role);
            ChannelRole node = channels.role(channel);
            ChannelRole wanted = union(endpointsRole(channel), forEndpoints.contains(channel) ? null : node);
            if (node == wanted) return CompletableFuture.completedFuture(null);
            if (node == null && forEndpoints.add(channel)) writeAsync(ChannelPort.putKey(NODE, channel, new byte[0]));
            return channels.join(channel, wanted).whenComplete((v, e) -> {
                if (e != null) failedJoin(agent, durable, channel, role);
            });
        }
    }

    /** The node's join for {@code agent}'s join failed: the endpoint is no member either. */
    private synchronized void failedJoin(String agent, boolean durable, String channel, ChannelRole role) {
        Map<String, ChannelRole> m = members.get(channel);
        if (m == null || !m.remove(agent, role)) return;
        if (durable) writeAsync(Effect.delete(MEMBERS, channel + "/" + agent));
    }

    /** Endpoint {@code agent} leaves {@code channel}; the node too if no endpoint is left and it joined for them. */
    CompletableFuture<Void> leave(String agent, boolean durable, String channel) {
        Channels.requireApplicationChannel(channel);
        synchronized (this) {
            Map<String, ChannelRole> m = members.get(channel);
            if (m == null || m.remove(agent) == null) return CompletableFuture.completedFuture(null);
            if (durable) {
                StoredKeys.write(
                        runtime,
                        stopped,
                        Effect.delete(MEMBERS, channel + "/" + agent),
                        "channel membership of " + agent);
            }
            if (!m.isEmpty()) return CompletableFuture.completedFuture(null);
            members.remove(channel, m);
            if (!forEndpoints.remove(channel)) return CompletableFuture.completedFuture(null);
            writeAsync(Effect.delete(NODE, channel));
            return channels.leave(channel);
        }
    }

    /** Endpoint {@code agent} closed: unless its name is durable, it leaves its channels. */
    void closed(String agent) {
        if (bus.isDurable(agent)) return; // its copies wait for it, as its direct messages do
        for (String channel : of(agent).keySet()) leave(agent, false, channel);
    }

    /** Durable endpoint {@code agent} was forgotten: its stored memberships go. */
    void forgotten(String agent) {
        for (String channel : of(agent).keySet()) leave(agent, true, channel);
    }

    /** The channels {@code agent} joined, with their roles. */
    Map<String, ChannelRole> of(String agent) {
        Map<String, ChannelRole> l = new HashMap<>();
        for (Map.Entry<String, Map<String, ChannelRole>> e : members.entrySet()) {
            ChannelRole r = e.getValue().get(agent);
            if (r != null) l.put(e.getKey(), r);
        }
        return l;
    }

    /**
     * Every membership of this node's endpoints (durable ones not registered now included): per channel, sorted, the
     * endpoints' roles by name.
     */
    Map<String, Map<String, ChannelRole>> memberships() {
        Map<String, Map<String, ChannelRole>> m = new TreeMap<>();
        members.forEach((channel, roles) -> {
            if (!roles.isEmpty()) m.put(channel, new TreeMap<>(roles));
        });
        return m;
    }

    /** The copies made for this node's endpoints of {@code channel}'s messages since the node started. */
    long copies(String channel) {
        LongAdder n = copiesMade.get(channel);
        return n == null ? 0 : n.sum();
    }

    /** {@code effects} copies of a message of {@code channel} were made (0: none). */
    private void counted(String channel, int effects) {
        if (effects > 0)
            copiesMade.computeIfAbsent(channel, c -> new LongAdder()).add(effects);
    }

    /** The union of the roles of the endpoints that joined {@code channel}, or null. */
    private ChannelRole endpointsRole(String channel) {
        ChannelRole r = null;
        for (ChannelRole x : members.getOrDefault(channel, Map.of()).values()) r = union(r, x);
        return r;
    }

    private static ChannelRole union(ChannelRole a, ChannelRole b) {
        if (a == null || a == b) return b == null ? a : b;
        if (b == null) return a;
        return ChannelRole.READ_WRITE;
    }

    private void writeAsync(Effect e) {
        runtime.post(now -> runtime.writeKeys(List.of(e), () -> {}));
    }

    // ---- publishing ----

    /** Publishes as {@code agent} (null: the node) on {@code channel}, after the checks of a node's publish. */
    SendReceipt publish(String agent, String channel, Map<String, String> headers, byte[] payload) {
        Channels.requireApplicationChannel(channel);
        ChannelRole role = members.getOrDefault(channel, Map.of()).get(agent);
        if (role == null || !role.writes()) {
            throw new ChannelRoleException("endpoint " + bus.self() + "/" + agent + " cannot publish on channel '"
                    + channel + "': " + (role == null ? "it did not join it" : "it joined it " + role));
        }
        RuntimeException refused = channels.publishRefusal(channel);
        if (refused != null) throw refused;
        return submit(agent, channel, headers, payload);
    }

    /** Broadcasts as {@code agent} (null: the node): the peers known now become the broadcast log's readers first. */
    SendReceipt broadcast(String agent, byte[] payload) {
        Set<NodeId> peers = new HashSet<>();
        for (PeerInfo p : runtime.peers()) peers.add(p.id());
        runtime.channels().setReaders(Channels.BROADCAST, peers);
        return submit(agent, Channels.BROADCAST, Map.of(), payload);
    }

    private SendReceipt submit(String agent, String channel, Map<String, String> headers, byte[] payload) {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(payload, "payload");
        Map<String, String> h = new HashMap<>();
        for (Map.Entry<String, String> e : headers.entrySet()) {
            h.put(OutboundMessage.requireApplicationHeader(e.getKey()), Objects.requireNonNull(e.getValue()));
        }
        if (agent != null) h.put(EndpointLanes.FROM, agent);
        h.put(EndpointLanes.CHANNEL, channel);
        return runtime.submit(bus.self(), EndpointLanes.PUBLISH_LANE, h, payload.clone(), 0, null);
    }

    /** Why a publish on {@code channel} routed now is refused, or null. */
    private RuntimeException refusal(String channel) {
        if (Channels.BROADCAST.equals(channel)) return null;
        if (!Channels.isValid(channel) || channel.charAt(0) == '_') return new IllegalArgumentException("invalid");
        return channels.publishRefusal(channel);
    }

    /**
     * The consumer of message {@code m} of this node's publish lane: acknowledged with its publish on the channel's
     * log and its copies to this node's joined endpoints (the publisher not among them); dead-lettered if this node
     * may no longer publish there.
     */
    MessageConsumer publishing(InboundMessage m) {
        Map<String, String> h = m.headers();
        String channel = h.get(EndpointLanes.CHANNEL);
        if (channel == null || refusal(channel) != null) return refusedPublish;
        Map<String, String> published = new HashMap<>(h);
        published.remove(EndpointLanes.CHANNEL);
        List<Effect> effects = new ArrayList<>();
        effects.add(Effect.publish(channel, Map.copyOf(published), m.payload(), m.expiresAtMillis()));
        effects.addAll(EndpointFanOut.copies(
                bus.self(),
                channel,
                bus.self(),
                published,
                m.payload(),
                m.expiresAtMillis(),
                readers(channel),
                h.get(EndpointLanes.FROM)));
        counted(channel, effects.size() - 1); // the first is the publish
        return new WithEffects(MessageConsumer.ACK_NOW, effects);
    }

    /**
     * The consumer of message {@code m} of {@code channel} received from {@code key}'s peer, which the channel layer
     * hands to {@code handler} (null: the node's handler): with its copies to the endpoints that read it.
     */
    MessageConsumer received(String channel, StreamKey key, InboundMessage m, MessageConsumer handler) {
        List<Effect> copies = EndpointFanOut.copies(
                bus.self(), channel, key.peer(), m.headers(), m.payload(), m.expiresAtMillis(), readers(channel), null);
        counted(channel, copies.size());
        return EndpointFanOut.consumer(channel, copies, handler, forEndpoints.contains(channel));
    }

    /** The endpoints that read {@code channel} now: for the broadcast channel, every one that does not ignore it. */
    private Iterable<String> readers(String channel) {
        if (Channels.BROADCAST.equals(channel)) return bus.broadcastReaders();
        Map<String, ChannelRole> m = members.get(channel);
        if (m == null || m.isEmpty()) return List.of();
        List<String> l = new ArrayList<>(m.size());
        for (Map.Entry<String, ChannelRole> e : m.entrySet()) {
            if (e.getValue().reads()) l.add(e.getKey());
        }
        l.sort(null); // one order for the copies of one message: the effects' order in the batch
        return l;
    }
}
