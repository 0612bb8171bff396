package dev.tether.internal.bus;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.bus.Address;
import dev.tether.internal.engine.NodeLocalLanes;
import dev.tether.internal.engine.SoleHeader;
import java.time.Duration;
import java.util.Map;

/**
 * How endpoints map onto lanes and headers (docs/BUS-DESIGN.md, section 1.1): messages to endpoint {@code bob} travel
 * on lane {@code _a.bob}, or {@code _a.bob.<sub>} for a sub-lane, and name their sending endpoint in the reserved
 * header {@value #FROM}.
 */
final class EndpointLanes {
    /** The prefix of every endpoint lane. */
    static final String PREFIX = "_a.";
    /** The prefix of volatile endpoint lanes (volatile calls to an endpoint). */
    static final String VOLATILE_PREFIX = "_v._a.";
    /** The reserved header naming the sending endpoint (its agent name; the node is the stream's sender). */
    static final String FROM = SoleHeader.FROM;
    /**
     * The reserved header of a message that waits for its endpoint until its deadline when the receiver has none of
     * that name (the call layer's {@code waitForHandler} header, which an endpoint call carries for the same wait).
     */
    static final String WAIT = ":w";
    /**
     * The prefix of an endpoint's channel lane {@code _e.<agent>}: the loopback stream of the channel messages copied
     * to it (docs/BUS-DESIGN.md, section 10, step 11).
     */
    static final String CHANNEL_PREFIX = NodeLocalLanes.ENDPOINT_CHANNEL_PREFIX;
    /** The reserved header of a channel copy (and of a loopback publish): its channel. */
    static final String CHANNEL = ":ch";
    /** The reserved header of a channel copy: the publishing node (the copy's stream comes from this node). */
    static final String ORIGIN = ":o";
    /** The loopback lane of this node's endpoints' publishes and broadcasts, numbered in the logs when consumed. */
    static final String PUBLISH_LANE = NodeLocalLanes.PUBLISH_LANE;

    private EndpointLanes() {}

    /** Whether a message with {@code headers} asked to wait for its endpoint ({@value #WAIT}). */
    static boolean waits(Map<String, String> headers) {
        return !headers.isEmpty() && headers.containsKey(WAIT);
    }

    /**
     * The deadline of a message sent at {@code now} that waits up to {@code wait} for its endpoint.
     *
     * @throws IllegalArgumentException if {@code wait} is not positive
     */
    static long deadline(long now, Duration wait) {
        if (wait == null || wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("waitForEndpoint must be positive, was " + wait);
        }
        long ms = wait.compareTo(Duration.ofMillis(Long.MAX_VALUE - now)) >= 0 ? Long.MAX_VALUE - now : wait.toMillis();
        return now + Math.max(1, ms);
    }

    /** The lane of messages to {@code agent} on {@code subLane} (null: none). */
    static String lane(String agent, String subLane) {
        return subLane == null ? PREFIX + agent : PREFIX + agent + "." + subLane;
    }

    /** Whether {@code lane} leads to an endpoint (durable or volatile, or its channel lane). */
    static boolean isEndpointLane(String lane) {
        return lane.startsWith(PREFIX) || lane.startsWith(VOLATILE_PREFIX) || lane.startsWith(CHANNEL_PREFIX);
    }

    /** Whether {@code lane} is an endpoint's channel lane {@code _e.<agent>}. */
    static boolean isChannelLane(String lane) {
        return lane.startsWith(CHANNEL_PREFIX);
    }

    /** The channel lane of {@code agent}. */
    static String channelLane(String agent) {
        return CHANNEL_PREFIX + agent;
    }

    /** Where the agent's name starts in endpoint lane {@code lane}. */
    private static int agentStart(String lane) {
        return lane.startsWith(PREFIX)
                ? PREFIX.length()
                : lane.startsWith(CHANNEL_PREFIX) ? CHANNEL_PREFIX.length() : VOLATILE_PREFIX.length();
    }

    /** The agent endpoint lane {@code lane} leads to, or null if it names none. */
    static String agentOf(String lane) {
        int from = agentStart(lane);
        int dot = lane.indexOf('.', from);
        String agent = dot < 0 ? lane.substring(from) : lane.substring(from, dot);
        return agent.isEmpty() ? null : agent;
    }

    /** The sub-lane of endpoint lane {@code lane}, or null. */
    static String subLaneOf(String lane) {
        if (lane.startsWith(CHANNEL_PREFIX)) return null;
        int dot = lane.indexOf('.', agentStart(lane));
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
        } catch (IllegalArgumentException | InvalidIdException invalid) { // reserved, or not a name
            return new Address(node, null);
        }
    }
}
