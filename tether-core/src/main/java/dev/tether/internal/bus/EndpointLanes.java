package dev.tether.internal.bus;

import dev.tether.NodeId;
import dev.tether.bus.Address;
import java.util.Map;

/**
 * How endpoints map onto lanes and headers (docs/BUS-DESIGN.md, section 1.1): messages to endpoint {@code bob} travel
 * on lane {@code _a.bob}, or {@code _a.bob.<sub>} for a sub-lane, and name their sending endpoint in the reserved
 * header {@value #FROM}.
 */
final class EndpointLanes {
    /** The prefix of every endpoint lane. */
    static final String PREFIX = "_a.";
    /** The reserved header naming the sending endpoint (its agent name; the node is the stream's sender). */
    static final String FROM = ":f";

    private EndpointLanes() {}

    /** The lane of messages to {@code agent} on {@code subLane} (null: none). */
    static String lane(String agent, String subLane) {
        return subLane == null ? PREFIX + agent : PREFIX + agent + "." + subLane;
    }

    /** The agent {@code lane} leads to, or null if it is no endpoint lane. */
    static String agentOf(String lane) {
        if (!lane.startsWith(PREFIX)) return null;
        int dot = lane.indexOf('.', PREFIX.length());
        String agent = dot < 0 ? lane.substring(PREFIX.length()) : lane.substring(PREFIX.length(), dot);
        return agent.isEmpty() ? null : agent;
    }

    /** The sub-lane of endpoint lane {@code lane}, or null. */
    static String subLaneOf(String lane) {
        int dot = lane.indexOf('.', PREFIX.length());
        return dot < 0 || dot == lane.length() - 1 ? null : lane.substring(dot + 1);
    }

    /**
     * The sending endpoint of a message from {@code node} with {@code headers}: the node itself without a valid
     * {@value #FROM} header (sent by the node, or by a broken peer).
     */
    static Address sender(NodeId node, Map<String, String> headers) {
        String agent = headers.isEmpty() ? null : headers.get(FROM);
        if (agent == null) return new Address(node, null);
        try {
            return new Address(node, agent);
        } catch (IllegalArgumentException invalid) { // InvalidIdException is one
            return new Address(node, null);
        }
    }
}
