package dev.tether.internal.bus;

import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.WithEffects;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The local fan-out of a channel message (docs/BUS-DESIGN.md, section 10, step 11): one copy per joined endpoint of
 * this node, each a message effect on the endpoint's channel lane {@code _e.<agent>} (a loopback stream), stored with
 * the settlement that records the channel message processed, in one store batch: each endpoint gets each message
 * once, in the channel stream's order, also across crashes. A copy keeps the message's application headers, its
 * publishing endpoint ({@code :f}) and priority ({@code :p}), and names the channel ({@code :ch}) and the publishing
 * node ({@code :o}). Stateless; thread-safe.
 */
final class EndpointFanOut {
    private EndpointFanOut() {}

    /**
     * The copies of a message of {@code channel} published by {@code origin} with {@code headers} and {@code payload},
     * one for each of {@code readers} (agent names) but {@code skip} (the publishing endpoint of this node, or null).
     */
    static List<Effect> copies(
            NodeId self,
            String channel,
            NodeId origin,
            Map<String, String> headers,
            byte[] payload,
            long expiresAt,
            Iterable<String> readers,
            String skip) {
        Map<String, String> h = null;
        List<Effect> effects = null;
        for (String agent : readers) {
            if (agent.equals(skip)) continue;
            if (h == null) {
                h = copyHeaders(channel, origin, headers);
                effects = new ArrayList<>();
            }
            effects.add(new Effect(self, EndpointLanes.channelLane(agent), h, payload, expiresAt));
        }
        return effects == null ? List.of() : effects;
    }

    /** The headers of a copy: the application's, {@code :f} and {@code :p}, with the channel and the origin. */
    static Map<String, String> copyHeaders(String channel, NodeId origin, Map<String, String> headers) {
        Map<String, String> h = new HashMap<>();
        for (Map.Entry<String, String> e : headers.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(":") || k.equals(EndpointLanes.FROM) || k.equals(":p")) h.put(k, e.getValue());
        }
        h.put(EndpointLanes.CHANNEL, channel);
        h.put(EndpointLanes.ORIGIN, origin.value());
        return Map.copyOf(h);
    }

    /**
     * The consumer of a message of {@code channel} that this node received as a reader, given its {@code copies}
     * ({@link #copies}) and {@code handler}, the consumer the channel layer chose (a channel handler; null: the node's
     * handler). {@code forEndpoints}: the node joined the channel for its endpoints only, so the node's handler does
     * not see its messages (without copies they are acknowledged and gone). A broadcast copied to endpoints does not
     * reach the node's handler either (only a channel handler of the broadcast channel): a node without a handler
     * (one that pulls) would otherwise hold the copies until the application takes the broadcast.
     */
    static MessageConsumer consumer(
            String channel, List<Effect> copies, MessageConsumer handler, boolean forEndpoints) {
        if (copies.isEmpty()) return handler != null || !forEndpoints ? handler : MessageConsumer.ACK_NOW;
        boolean nodeReads = handler != null || (!forEndpoints && !Channels.BROADCAST.equals(channel));
        return new WithEffects(nodeReads ? handler : MessageConsumer.ACK_NOW, copies);
    }
}
