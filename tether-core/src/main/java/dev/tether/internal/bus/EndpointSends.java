package dev.tether.internal.bus;

import dev.tether.NodeId;
import dev.tether.OfferResult;
import dev.tether.OutboundMessage;
import dev.tether.SendReceipt;
import dev.tether.bus.Address;
import dev.tether.bus.NoSuchEndpointException;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.SendTarget;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends to endpoints (docs/BUS-DESIGN.md, section 1.1), on the caller's thread: the address checked, the lane and the
 * reserved headers built, then handed to the node's sends ({@code SendCalls}), which admit and post them.
 *
 * <p>A send from an endpoint to an endpoint registered on this node, on no sub-lane and without headers of its own
 * (most of a bus's traffic), takes a shorter way: one lookup of the receiving endpoint, which keeps its stream with
 * its admission room ({@link LocalEndpoint#inbound}), and the sender's reserved header measured once. It checks,
 * admits and refuses exactly as the general way does. Thread-safe.
 */
final class EndpointSends {
    /** At most this many lanes are kept by {@link #laneOf} (then forgotten at once). */
    private static final int LANES_CACHED = 65_536;

    private final NodeRuntime runtime;
    private final NodeId self;
    private final ConcurrentHashMap<String, LocalEndpoint> endpoints;
    private final Set<String> durable;
    /** {@link #laneOf}'s lanes by agent name. */
    private final ConcurrentHashMap<String, String> lanes = new ConcurrentHashMap<>();

    /** Sends of {@code runtime}'s endpoints; {@code endpoints} registered now and {@code durable} names are the bus's. */
    EndpointSends(NodeRuntime runtime, ConcurrentHashMap<String, LocalEndpoint> endpoints, Set<String> durable) {
        this.runtime = runtime;
        this.self = runtime.id();
        this.endpoints = endpoints;
        this.durable = durable;
    }

    /**
     * Checks that {@code to} names an endpoint, one this node has (registered or durable) if it is on this node.
     *
     * @throws NoSuchEndpointException if this node has no endpoint of that name
     */
    void requireEndpoint(Address to) {
        Objects.requireNonNull(to, "to");
        if (to.isNode()) {
            throw new IllegalArgumentException("address " + to + " names a node, not an endpoint; use node/agent");
        }
        if (to.node().equals(self) && !endpoints.containsKey(to.agent()) && !durable.contains(to.agent())) {
            throw new NoSuchEndpointException(to);
        }
    }

    /** Sends as {@code fromAgent} (null: the node itself), waiting at the receiver for the endpoint. */
    SendReceipt sendWaiting(String fromAgent, Address to, byte[] payload, Duration wait) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(payload, "payload");
        long expiresAt = EndpointLanes.deadline(runtime.clock().millis(), wait);
        if (to.isNode()) {
            throw new IllegalArgumentException("address " + to + " names a node, not an endpoint; use node/agent");
        }
        Map<String, String> h = fromAgent == null
                ? Map.of(EndpointLanes.WAIT, "1")
                : Map.of(EndpointLanes.WAIT, "1", EndpointLanes.FROM, fromAgent);
        return runtime.sends()
                .submitByPolicy(to.node(), EndpointLanes.lane(to.agent(), null), h, payload.clone(), expiresAt);
    }

    /** Sends as {@code fromAgent} (null: the node itself) to {@code to} on {@code subLane} (null: none). */
    SendReceipt send(String fromAgent, Address to, String subLane, Map<String, String> headers, byte[] payload) {
        return send(
                fromAgent,
                fromAgent == null ? Map.of() : Map.of(EndpointLanes.FROM, fromAgent),
                -1,
                to,
                subLane,
                headers,
                payload);
    }

    /**
     * As {@link #send(String, Address, String, Map, byte[])}, with {@code own} the reserved headers naming {@code
     * fromAgent} (an endpoint keeps its own, so that a send without headers allocates none) and {@code ownBytes}
     * their encoded size ({@code SendCalls.headersBytes}; -1: not measured).
     */
    SendReceipt send(
            String fromAgent,
            Map<String, String> own,
            long ownBytes,
            Address to,
            String subLane,
            Map<String, String> headers,
            byte[] payload) {
        if (to != null && subLane == null && headers != null && headers.isEmpty() && !to.isNode()) {
            NodeId node = to.node();
            LocalEndpoint e = node == self || node.equals(self) ? endpoints.get(to.agent()) : null;
            if (e != null) { // registered here: the address is valid, and the headers are the sender's own
                Objects.requireNonNull(payload, "payload");
                return runtime.sends().submitByPolicy(e.inbound(), own, ownBytes, payload.clone());
            }
        }
        Target t = target(fromAgent, own, to, subLane, headers, payload);
        return runtime.sends().submitByPolicy(t.node, t.lane, t.headers, payload.clone(), 0); // endpointLimits' policy
    }

    /** As {@link #send(String, Map, long, Address, String, Map, byte[])}, waiting up to {@code maxWait} for room. */
    SendReceipt sendWithin(
            String fromAgent,
            Map<String, String> own,
            Address to,
            String subLane,
            Map<String, String> headers,
            byte[] payload,
            Duration maxWait)
            throws InterruptedException {
        Target t = target(fromAgent, own, to, subLane, headers, payload);
        return runtime.sends().submitWithin(t.node, t.lane, t.headers, payload.clone(), 0, maxWait);
    }

    /** As {@link #send(String, Map, long, Address, String, Map, byte[])} if there is room now; never waits. */
    OfferResult offer(
            String fromAgent,
            Map<String, String> own,
            Address to,
            String subLane,
            Map<String, String> headers,
            byte[] payload) {
        Target t = target(fromAgent, own, to, subLane, headers, payload);
        return runtime.sends().offerSubmit(t.node, t.lane, t.headers, payload.clone(), 0);
    }

    /** The stream of messages to this node's endpoint {@code agent} on no sub-lane, with its room. */
    SendTarget localTarget(String agent) {
        return runtime.sends().localTarget(laneOf(agent));
    }

    /** The encoded size of an endpoint's reserved headers {@code own}, or -1 to measure them per send. */
    long headersBytes(Map<String, String> own) {
        try {
            return runtime.sends().headersBytes(own);
        } catch (RuntimeException tooLong) { // refused per send, as before
            return -1;
        }
    }

    /** Where an endpoint send goes: its node, its lane, and its headers with the reserved ones. */
    private record Target(NodeId node, String lane, Map<String, String> headers) {}

    /** The checked {@link Target} of a send to {@code to}; {@code own}: the reserved headers naming the sender. */
    private Target target(
            String fromAgent,
            Map<String, String> own,
            Address to,
            String subLane,
            Map<String, String> headers,
            byte[] payload) {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(payload, "payload");
        requireEndpoint(to);
        if (subLane != null) Address.requireSubLane(subLane);
        Map<String, String> h;
        if (headers.isEmpty()) {
            h = own;
        } else {
            h = new HashMap<>();
            for (Map.Entry<String, String> e : headers.entrySet()) {
                h.put(OutboundMessage.requireApplicationHeader(e.getKey()), Objects.requireNonNull(e.getValue()));
            }
            if (fromAgent != null) h.put(EndpointLanes.FROM, fromAgent);
        }
        String lane = subLane == null ? laneOf(to.agent()) : EndpointLanes.lane(to.agent(), subLane);
        return new Target(to.node(), lane, h);
    }

    /**
     * The lane of messages to {@code agent}, the same string each time: the engine hashes and compares it per
     * message, and a string keeps its hash. At most {@link #LANES_CACHED} are kept (then forgotten at once).
     */
    private String laneOf(String agent) {
        String lane = lanes.get(agent);
        if (lane != null) return lane;
        if (lanes.size() >= LANES_CACHED) lanes.clear();
        lane = EndpointLanes.lane(agent, null);
        lanes.put(agent, lane);
        return lane;
    }
}
