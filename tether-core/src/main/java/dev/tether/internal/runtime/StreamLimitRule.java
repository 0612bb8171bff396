package dev.tether.internal.runtime;

import dev.tether.OverflowPolicy;
import dev.tether.StreamLimits;
import dev.tether.internal.engine.StreamKey;
import java.util.List;
import java.util.Objects;

/**
 * One {@code TetherConfig.Builder.streamLimits} entry: the streams whose peer id and lane match the globs ({@code *}
 * for any run of characters) get {@code limits}. Lanes starting with {@code _} (Tether's own traffic: replies,
 * volatile calls, events) are never matched: they keep the default, so a rule cannot make an internal send wait or be
 * dropped.
 */
public record StreamLimitRule(String peerPattern, String lanePattern, StreamLimits limits) {
    public StreamLimitRule {
        Objects.requireNonNull(peerPattern, "peerPattern");
        Objects.requireNonNull(lanePattern, "lanePattern");
        Objects.requireNonNull(limits, "limits");
        if (peerPattern.isEmpty() || lanePattern.isEmpty()) {
            throw new IllegalArgumentException("stream limits need a peer and a lane pattern ('*' for any), got '"
                    + peerPattern + "' and '" + lanePattern + "'");
        }
    }

    /** The limits of the first rule matching {@code key}, else {@code maxQueuedPerStream} and REJECT. */
    static StreamLimits find(List<StreamLimitRule> rules, StreamKey key, long maxQueuedPerStream) {
        if (!key.lane().startsWith("_")) {
            for (StreamLimitRule r : rules) {
                if (Admission.matches(r.peerPattern, 0, key.peer().value(), 0)
                        && Admission.matches(r.lanePattern, 0, key.lane(), 0)) {
                    return r.limits;
                }
            }
        }
        return StreamLimits.maxMessages(maxQueuedPerStream).policy(OverflowPolicy.REJECT);
    }
}
