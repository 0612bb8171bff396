package dev.tether.internal.runtime;

import dev.tether.OverflowPolicy;
import dev.tether.StreamLimits;
import dev.tether.internal.engine.StreamKey;
import java.util.List;
import java.util.Objects;

/**
 * One {@code TetherConfig.Builder.streamLimits} or {@code endpointLimits} entry. A stream rule gives the streams whose
 * peer id and lane match the globs ({@code *} for any run of characters) {@code limits}; lanes starting with {@code _}
 * (Tether's own traffic: replies, volatile calls, events, endpoints) are never matched by one: they keep the default,
 * so a rule cannot make an internal send wait or be dropped. An endpoint rule ({@code endpoint} true, {@code
 * lanePattern} a glob on the agent) gives the streams to the endpoints whose node and agent match (lanes {@code
 * _a.<agent>} and {@code _a.<agent>.<sub-lane>}, remote and loopback) {@code limits}, and matches nothing else.
 */
public record StreamLimitRule(String peerPattern, String lanePattern, StreamLimits limits, boolean endpoint) {
    private static final String ENDPOINT_PREFIX = "_a.";

    public StreamLimitRule {
        Objects.requireNonNull(peerPattern, "peerPattern");
        Objects.requireNonNull(lanePattern, "lanePattern");
        Objects.requireNonNull(limits, "limits");
        if (peerPattern.isEmpty() || lanePattern.isEmpty()) {
            throw new IllegalArgumentException("stream limits need a peer and a lane pattern ('*' for any), got '"
                    + peerPattern + "' and '" + lanePattern + "'");
        }
        if (!endpoint) requireMatchable(peerPattern, lanePattern); // endpoints() checks its own
    }

    /** Refuses a stream rule that could never match: one no peer id or lane could, or one only reserved lanes could. */
    private static void requireMatchable(String peerPattern, String lanePattern) {
        if (!glob(peerPattern, "._-")) {
            throw new IllegalArgumentException("invalid peer pattern '" + peerPattern
                    + "' in stream limits: expected characters from [A-Za-z0-9._-] and '*'");
        }
        if (!glob(lanePattern, "._-")) {
            throw new IllegalArgumentException("invalid lane pattern '" + lanePattern
                    + "' in stream limits: expected characters from [A-Za-z0-9._-] and '*'");
        }
        if (lanePattern.startsWith("_")) {
            throw new IllegalArgumentException("lane pattern '" + lanePattern + "' in stream limits would match only"
                    + " reserved lanes (starting with '_'), which stream limits never match");
        }
    }

    /** A stream rule. */
    public StreamLimitRule(String peerPattern, String lanePattern, StreamLimits limits) {
        this(peerPattern, lanePattern, limits, false);
    }

    /**
     * An endpoint rule for the endpoints matching {@code addressPattern}, {@code nodeGlob/agentGlob}.
     *
     * @throws IllegalArgumentException if the pattern is not two non-empty globs joined by one {@code /}, or a glob
     *     has characters no node id or agent name has
     */
    public static StreamLimitRule endpoints(String addressPattern, StreamLimits limits) {
        Objects.requireNonNull(addressPattern, "addressPattern");
        Objects.requireNonNull(limits, "limits");
        int slash = addressPattern.indexOf('/');
        if (slash <= 0 || slash == addressPattern.length() - 1 || addressPattern.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("endpoint limits need an address pattern NODE/AGENT (globs, '*' for"
                    + " any), got '" + addressPattern + "'");
        }
        String node = addressPattern.substring(0, slash), agent = addressPattern.substring(slash + 1);
        if (!glob(node, "._-")) {
            throw new IllegalArgumentException("invalid node pattern '" + node + "' in endpoint limits '"
                    + addressPattern + "': expected characters from [A-Za-z0-9._-] and '*'");
        }
        if (!glob(agent, "_-")) {
            throw new IllegalArgumentException("invalid agent pattern '" + agent + "' in endpoint limits '"
                    + addressPattern + "': expected characters from [A-Za-z0-9_-] and '*' (no dot)");
        }
        return new StreamLimitRule(node, agent, limits, true);
    }

    private static boolean glob(String s, String extra) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*';
            if (!ok && extra.indexOf(c) < 0) return false;
        }
        return true;
    }

    /**
     * The limits of the first rule matching {@code key} (stream rules for application lanes, endpoint rules for
     * endpoint lanes), else {@code maxQueuedPerStream} and REJECT.
     */
    static StreamLimits find(List<StreamLimitRule> rules, StreamKey key, long maxQueuedPerStream) {
        String lane = key.lane();
        boolean toEndpoint = lane.startsWith(ENDPOINT_PREFIX);
        if (!lane.startsWith("_") || toEndpoint) {
            String matched = toEndpoint ? agentOf(lane) : lane;
            for (StreamLimitRule r : rules) {
                if (r.endpoint == toEndpoint
                        && Glob.matches(r.peerPattern, key.peer().value())
                        && Glob.matches(r.lanePattern, matched)) {
                    return r.limits;
                }
            }
        }
        return StreamLimits.maxMessages(maxQueuedPerStream).policy(OverflowPolicy.REJECT);
    }

    /** The agent of endpoint lane {@code lane}: up to its sub-lane's dot (an agent name has none). */
    private static String agentOf(String lane) {
        int dot = lane.indexOf('.', ENDPOINT_PREFIX.length());
        return dot < 0 ? lane.substring(ENDPOINT_PREFIX.length()) : lane.substring(ENDPOINT_PREFIX.length(), dot);
    }
}
