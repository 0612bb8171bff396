package dev.tether.internal.engine;

import dev.tether.Channels;
import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.MessageKind;
import java.util.HashMap;
import java.util.Map;

/**
 * What a history entry says about a message, from its lane and reserved headers (the reserved headers of calls and
 * endpoints: {@code :h} handler, {@code :k} call kind, {@code :c} the call a reply answers, {@code :f} sending agent),
 * as routing rules see it (internal.bus.StreamFacts, which the engine cannot use). Tether's own traffic (reserved
 * lanes and handlers, replies to calls on reserved lanes) and volatile lanes (never stored) get no entry. Stateless.
 */
final class HistoryKinds {
    private static final String ENDPOINT_PREFIX = "_a.";
    /** The reserved header of a routed message's trail (internal.bus.RouteEffects, which the engine cannot use). */
    static final String TRAIL = ":r";

    private HistoryKinds() {}

    /**
     * The entry of a stored message, or null if it gets none. {@code payloadBytes}: how much of the payload to keep
     * (0: none).
     */
    static HistoryEntry entry(
            long at,
            HistoryDirection dir,
            NodeId peer,
            String lane,
            long seq,
            Outcome outcome,
            Map<String, String> headers,
            byte[] payload,
            int payloadBytes) {
        if (Lanes.isVolatile(lane)) return null;
        String channel = null;
        String toAgent = null;
        MessageKind kind;
        if (lane.equals(Lanes.REPLY)) {
            if (!answersApplication(headers.get(":c"))) return null;
            kind = MessageKind.RESPONSE;
        } else if (Channels.isChannelLane(lane)) {
            channel = Channels.channelOf(lane);
            if (channel.equals(Channels.BROADCAST)) kind = MessageKind.BROADCAST;
            else if (channel.isEmpty() || channel.charAt(0) == '_') return null;
            else kind = MessageKind.PUBLISH;
        } else {
            if (lane.startsWith(ENDPOINT_PREFIX)) toAgent = agentOf(lane);
            else if (lane.charAt(0) == '_') return null;
            String handler = headers.get(":h");
            if (handler != null && (handler.isEmpty() || handler.charAt(0) == '_')) return null;
            String k = headers.get(":k");
            kind = k != null && (k.equals("s") || k.equals("r")) ? MessageKind.REQUEST : MessageKind.DIRECT;
        }
        byte[] kept = null;
        if (payloadBytes > 0) {
            kept = payload.length <= payloadBytes ? payload : java.util.Arrays.copyOf(payload, payloadBytes);
        }
        return new HistoryEntry(
                0,
                at,
                dir,
                kind,
                peer,
                headers.get(":f"),
                toAgent,
                channel,
                headers.get(":h"),
                lane,
                seq,
                outcome,
                payload.length,
                applicationHeaders(headers),
                kept,
                kept != null && kept != payload);
    }

    /** The outcome a receiver settled a message with, from its OUTCOME code (0: processed). */
    static Outcome outcome(int code) {
        return switch (code) {
            case 0 -> Outcome.PROCESSED;
            case Frame.OutcomeNotice.EXPIRED -> Outcome.EXPIRED;
            case Frame.OutcomeNotice.DEAD_LETTERED -> Outcome.DEAD_LETTERED;
            case Frame.OutcomeNotice.NO_SUCH_HANDLER -> Outcome.NO_SUCH_HANDLER;
            case Frame.OutcomeNotice.CANCELLED -> Outcome.CANCELLED;
            case Frame.OutcomeNotice.NO_SUCH_ENDPOINT -> Outcome.NO_SUCH_ENDPOINT;
            case Frame.OutcomeNotice.DROPPED -> Outcome.DROPPED;
            default -> throw new IllegalArgumentException("unknown outcome code " + code);
        };
    }

    /** Whether a reply correlated by {@code correlation} ({@code lane#seq#epoch}) answers an application's call. */
    private static boolean answersApplication(String correlation) {
        if (correlation == null || correlation.isEmpty()) return false;
        String callLane = correlation.substring(0, Math.max(0, correlation.indexOf('#')));
        if (Lanes.isVolatile(callLane)) return false;
        return !callLane.isEmpty() && (callLane.charAt(0) != '_' || callLane.startsWith(ENDPOINT_PREFIX));
    }

    private static String agentOf(String lane) {
        int dot = lane.indexOf('.', ENDPOINT_PREFIX.length());
        String agent = dot < 0 ? lane.substring(ENDPOINT_PREFIX.length()) : lane.substring(3, dot);
        return agent.isEmpty() ? null : agent;
    }

    /**
     * The application's headers, and the route trail {@value #TRAIL} of a message a routing rule sent (a copy or
     * forward: its origin, then {@code node:rule} per hop, the last naming the rule that sent it), so the history
     * tells routed messages and their rules apart; the other reserved headers are left out.
     */
    private static Map<String, String> applicationHeaders(Map<String, String> headers) {
        if (headers.isEmpty()) return headers;
        Map<String, String> out = new HashMap<>(headers);
        out.keySet().removeIf(k -> k.startsWith(":") && !k.equals(TRAIL));
        return out;
    }
}
