package dev.tether.internal.runtime;

import dev.tether.InvalidConfigException;
import dev.tether.Lanes;
import dev.tether.Priority;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code TetherConfig.Builder.lanePriority} entry: messages sent on lanes matching the glob ({@code *} for any run
 * of characters) without a priority of their own get {@code level}. A volatile message matches by its application lane
 * (not {@code _v.<lane>}); endpoint lanes ({@code _a.<agent>...}) match only patterns starting with {@code _a.}; Tether's other
 * reserved lanes (replies, events, channels' own traffic) are never matched and stay at the default level.
 */
public record LanePriority(String lanePattern, int level) {
    public LanePriority {
        Objects.requireNonNull(lanePattern, "lanePattern");
        if (lanePattern.isEmpty()) throw new IllegalArgumentException("lane priority needs a lane pattern ('*': any)");
        Priority.require(level);
    }

    /** A configured entry; {@link InvalidConfigException} instead of {@code IllegalArgumentException}. */
    public static LanePriority configured(String lanePattern, int level) {
        try {
            return new LanePriority(lanePattern, level);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage());
        }
    }

    /** The level of the first rule matching {@code wireLane}, else {@link Priority#DEFAULT}. */
    static int levelOf(List<LanePriority> rules, String wireLane) {
        if (rules.isEmpty()) return Priority.DEFAULT;
        String lane = wireLane.startsWith(Lanes.VOLATILE_PREFIX) ? wireLane.substring(3) : wireLane;
        boolean reserved = lane.startsWith("_");
        if (reserved && !lane.startsWith("_a.")) return Priority.DEFAULT;
        for (LanePriority r : rules) {
            // an endpoint lane only by a pattern written for endpoint lanes: "*" means the application's lanes
            if (reserved != r.lanePattern.startsWith("_")) continue;
            if (Admission.matches(r.lanePattern, 0, lane, 0)) return r.level;
        }
        return Priority.DEFAULT;
    }

    /**
     * The headers to send with: a {@link Priority#HEADER} already there stays (the message's own level, the value
     * {@code "4"} standing for an explicit default, which is dropped since the default travels as no header);
     * otherwise the lane's level is added unless it is the default.
     */
    static Map<String, String> apply(List<LanePriority> rules, String wireLane, Map<String, String> headers) {
        String own = headers.isEmpty() ? null : headers.get(Priority.HEADER);
        if (own != null) {
            if (Priority.parse(own) != Priority.DEFAULT) return headers;
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.remove(Priority.HEADER);
            return h;
        }
        int level = levelOf(rules, wireLane);
        if (level == Priority.DEFAULT) return headers;
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(Priority.HEADER, Priority.digit(level));
        return h;
    }

    /** The level {@code headers} (after {@link #apply}) give a send: its {@code :p}, else the default. */
    static int levelOf(Map<String, String> headers) {
        String p = headers.isEmpty() ? null : headers.get(Priority.HEADER);
        int level = p == null ? Priority.DEFAULT : Priority.parse(p);
        return level < 0 ? Priority.DEFAULT : level;
    }
}
