package dev.tether.internal.bus;

import dev.tether.Channels;
import dev.tether.Lanes;
import dev.tether.bus.MessageKind;
import dev.tether.internal.engine.StreamKey;
import java.util.Map;

/**
 * What routing rules may look at that is the same for every message of an inbound stream (docs/BUS-DESIGN.md,
 * section 2.2): the sending node, the kinds its messages can be, the recipient endpoint, the application's lane and
 * the channel. Tether's own streams ({@code _sys}, {@code _ev}, channel control, other reserved lanes) have none:
 * they are never routed. Immutable.
 */
final class StreamFacts {
    /** The reserved headers of calls (internal.call.CallHeaders): the handler, the kind, a reply's correlation. */
    static final String HANDLER = ":h";

    static final String KIND = ":k";
    static final String CORRELATION = ":c";

    static final int DIRECT_OR_REQUEST = bit(MessageKind.DIRECT) | bit(MessageKind.REQUEST);

    final String senderNode;
    /** Bits ({@link #bit}) of the kinds this stream's messages can be. */
    final int kinds;
    /** The endpoint of this node the stream leads to, or null (node-level traffic). */
    final String recipient;
    /** The application's lane, or the sub-lane of an endpoint stream; null if none. */
    final String lane;
    /** The channel of a publish stream, or null. */
    final String channel;
    /**
     * An endpoint's channel lane ({@code _e.<agent>}): its messages are copies of channel messages, whose channel
     * ({@value EndpointLanes#CHANNEL}) and publishing node ({@value EndpointLanes#ORIGIN}) differ per message.
     */
    final boolean copies;

    private StreamFacts(String senderNode, int kinds, String recipient, String lane, String channel) {
        this(senderNode, kinds, recipient, lane, channel, false);
    }

    private StreamFacts(String senderNode, int kinds, String recipient, String lane, String channel, boolean copies) {
        this.senderNode = senderNode;
        this.kinds = kinds;
        this.recipient = recipient;
        this.lane = lane;
        this.channel = channel;
        this.copies = copies;
    }

    static int bit(MessageKind k) {
        return 1 << k.ordinal();
    }

    /** The facts of inbound stream {@code key}, or null if it is Tether's own traffic, never routed. */
    static StreamFacts of(StreamKey key) {
        String node = key.peer().value();
        String lane = key.lane();
        if (lane.equals(Lanes.REPLY) || lane.equals(Lanes.VOLATILE_REPLY)) {
            return new StreamFacts(node, bit(MessageKind.RESPONSE), null, null, null);
        }
        if (Channels.isChannelLane(lane)) {
            String channel = Channels.channelOf(lane);
            if (channel.equals(Channels.BROADCAST)) {
                return new StreamFacts(node, bit(MessageKind.BROADCAST), null, null, null);
            }
            if (channel.isEmpty() || channel.charAt(0) == '_') return null;
            return new StreamFacts(node, bit(MessageKind.PUBLISH), null, null, channel);
        }
        if (EndpointLanes.isEndpointLane(lane)) {
            String agent = EndpointLanes.agentOf(lane);
            if (agent == null) return null;
            if (EndpointLanes.isChannelLane(lane)) {
                int kinds = bit(MessageKind.PUBLISH) | bit(MessageKind.BROADCAST);
                return new StreamFacts(node, kinds, agent, null, null, true);
            }
            return new StreamFacts(node, DIRECT_OR_REQUEST, agent, EndpointLanes.subLaneOf(lane), null);
        }
        String application = Lanes.isVolatile(lane) ? lane.substring(Lanes.VOLATILE_PREFIX.length()) : lane;
        if (application.isEmpty() || application.charAt(0) == '_') return null;
        return new StreamFacts(node, DIRECT_OR_REQUEST, null, application, null);
    }

    /**
     * The kind of a message of this stream with {@code headers}, or null if it is Tether's own traffic: a call of a
     * reserved handler ({@code _hello}, {@code _event}) or a reply to a call on a reserved lane.
     */
    MessageKind kindOf(Map<String, String> headers) {
        if (copies) {
            boolean broadcast = Channels.BROADCAST.equals(headers.get(EndpointLanes.CHANNEL));
            return broadcast ? MessageKind.BROADCAST : MessageKind.PUBLISH;
        }
        if (kinds == DIRECT_OR_REQUEST) {
            String handler = headers.get(HANDLER);
            if (handler != null && (handler.isEmpty() || handler.charAt(0) == '_')) return null;
            String k = headers.get(KIND);
            return k != null && (k.equals("s") || k.equals("r")) ? MessageKind.REQUEST : MessageKind.DIRECT;
        }
        if (kinds == bit(MessageKind.RESPONSE)) {
            String correlation = headers.get(CORRELATION); // lane#seq#epoch of the call answered
            if (correlation == null || correlation.isEmpty()) return null;
            String callLane = correlation.substring(0, Math.max(0, correlation.indexOf('#')));
            if (Lanes.isVolatile(callLane)) callLane = callLane.substring(Lanes.VOLATILE_PREFIX.length());
            boolean own = callLane.isEmpty() || (callLane.charAt(0) == '_' && !EndpointLanes.isEndpointLane(callLane));
            return own ? null : MessageKind.RESPONSE;
        }
        return kinds == bit(MessageKind.PUBLISH) ? MessageKind.PUBLISH : MessageKind.BROADCAST;
    }
}
