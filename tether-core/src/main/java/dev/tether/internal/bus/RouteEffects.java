package dev.tether.internal.bus;

import dev.tether.Channels;
import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.Priority;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Rule;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import java.util.HashMap;
import java.util.Map;

/**
 * The messages a route sends on (docs/BUS-DESIGN.md, section 2.4): a {@code copy} or {@code forward} of an inbound
 * message as an {@link Effect} of its settlement, to the target's own stream, with its hop count ({@value #HOPS}) one
 * higher and the route trail ({@value #TRAIL}: the origin address, then {@code node:rule} per hop). A copy is a direct
 * message to the target endpoint carrying the original's payload, application headers, priority and deadline; a
 * forward keeps a tell's call headers too, and a forward to a node keeps the lane. A copy or forward to a channel is
 * published on this node's log of the channel ({@link Effect#publish}), with what a copy carries. Stateless; any
 * thread.
 */
final class RouteEffects {
    /** The reserved header counting the routing hops a message made (absent: none). */
    static final String HOPS = ":n";
    /** The reserved header naming the origin and the rules a routed message passed, {@code origin node:rule...}. */
    static final String TRAIL = ":r";
    /** A message that made this many hops is dead-lettered instead of routed on: a routing loop. */
    static final int MAX_HOPS = 8;
    /**
     * The longest trail a routed message can carry: the origin address ({@code node/agent}) and one {@code
     * " node:rule"} per hop, each at its longest. A longer {@value #TRAIL} came from a broken or hostile peer: such a
     * message is dead-lettered instead of routed on (its trail would grow past what a header can hold).
     */
    static final int MAX_TRAIL_CHARS = NodeId.MAX_LENGTH
            + 1
            + Address.MAX_AGENT_LENGTH
            + MAX_HOPS * (2 + NodeId.MAX_LENGTH + Rule.MAX_NAME_LENGTH);

    /** The reserved headers a forward keeps: a tell's (the handler, the call kind, wait) and the priority. */
    private static final java.util.Set<String> FORWARDED = java.util.Set.of(":h", ":k", ":w", Priority.HEADER);

    private RouteEffects() {}

    /** The hops message {@code headers} made, or -1 if its {@value #HOPS} header is not a number 1-{@value #MAX_HOPS}. */
    static int hops(Map<String, String> headers) {
        String n = headers.isEmpty() ? null : headers.get(HOPS);
        if (n == null) return 0;
        if (n.length() != 1 || n.charAt(0) < '1' || n.charAt(0) > '0' + MAX_HOPS) return -1;
        return n.charAt(0) - '0';
    }

    /** Whether the {@value #TRAIL} header of message {@code headers}, if any, is at most {@link #MAX_TRAIL_CHARS} long. */
    static boolean trailFits(Map<String, String> headers) {
        String t = headers.isEmpty() ? null : headers.get(TRAIL);
        return t == null || t.length() <= MAX_TRAIL_CHARS;
    }

    /** The trail of a message of {@code key} with {@code headers}: its own, or its sender's address if it has none. */
    static String trail(StreamKey key, Map<String, String> headers) {
        String t = headers.isEmpty() ? null : headers.get(TRAIL);
        return t != null ? t : EndpointLanes.sender(key.peer(), headers).toString();
    }

    /**
     * Where the action sends: the node and lane, for a message of inbound stream {@code key}; or, for a channel
     * ({@code channel} not null, {@code node} null), this node's log of it.
     */
    record Target(NodeId node, String lane, String agent, String channel) {}

    /** The target of {@code a} (a copy or forward to a node, an endpoint or a channel) for a message of {@code key}. */
    static Target target(Action a, StreamKey key) {
        if (a.target() == Action.Target.NODE) return new Target(NodeId.of(a.value()), key.lane(), null, null);
        if (a.target() == Action.Target.CHANNEL) return new Target(null, Channels.lane(a.value()), null, a.value());
        Address to = Address.parse(a.value());
        String lane = EndpointLanes.lane(to.agent(), null);
        return new Target(to.node(), key.isVolatile() ? Lanes.volatileLane(lane) : lane, to.agent(), null);
    }

    /**
     * The effect sending message {@code m} of {@code key}, which made {@code hops} hops, to {@code t} by rule {@code
     * rule} of node {@code self}: a forward if {@code forward}, else a copy.
     */
    static Effect effect(
            NodeId self, String rule, Target t, boolean forward, StreamKey key, InboundMessage m, int hops) {
        Map<String, String> in = m.headers();
        Map<String, String> h = new HashMap<>();
        for (Map.Entry<String, String> e : in.entrySet()) {
            String name = e.getKey();
            boolean keep = forward && t.channel() == null ? FORWARDED.contains(name) : name.equals(Priority.HEADER);
            if (!name.startsWith(":") || keep) {
                h.put(name, e.getValue());
            }
        }
        h.put(HOPS, Integer.toString(hops + 1));
        h.put(TRAIL, trail(key, in) + " " + self.value() + ":" + rule);
        return t.channel() != null
                ? Effect.publish(t.channel(), h, m.payload(), m.expiresAtMillis())
                : new Effect(t.node(), t.lane(), h, m.payload(), m.expiresAtMillis());
    }
}
