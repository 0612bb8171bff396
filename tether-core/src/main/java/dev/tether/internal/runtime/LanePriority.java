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
            if (Glob.matches(r.lanePattern, lane)) return r.level;
        }
        return Priority.DEFAULT;
    }

    /** In {@link #level}'s answer: the headers carry a {@link Priority#HEADER} of their own. */
    private static final int OWN = 8;
    /** In {@link #level}'s answer, with {@link #OWN}: that header is {@code "4"}, dropped by {@link #apply}. */
    private static final int DROP = 16;

    /**
     * A send's level, with what {@link #apply} needs to know about its headers (one lookup for both): the low three
     * bits ({@code & 7}) are the level it waits at in the node loop's input, the message's own {@code :p} if there is a
     * valid one, else its lane's level from {@code rules} (an invalid {@code :p}, kept as it is, gives the default).
     */
    static int level(List<LanePriority> rules, String wireLane, Map<String, String> headers) {
        String own = headers.isEmpty() ? null : headers.get(Priority.HEADER);
        if (own == null) return levelOf(rules, wireLane);
        int level = Priority.parse(own);
        if (level == Priority.DEFAULT) return Priority.DEFAULT | OWN | DROP;
        return (level < 0 ? Priority.DEFAULT : level) | OWN;
    }

    /**
     * The headers to send with, {@code level} being {@link #level}'s answer for them: a {@link Priority#HEADER}
     * already there stays (the message's own level, the value {@code "4"} standing for an explicit default, which is
     * dropped since the default travels as no header); otherwise the lane's level is added unless it is the default.
     */
    static Map<String, String> apply(Map<String, String> headers, int level) {
        if ((level & OWN) != 0) {
            if ((level & DROP) == 0) return headers;
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.remove(Priority.HEADER);
            return h;
        }
        if (level == Priority.DEFAULT) return headers;
        return withLevel(headers, level);
    }

    /**
     * {@code headers} with {@link Priority#HEADER} set to {@code level}. Without other headers, as most sends are,
     * that is a one-entry immutable map: one object per send instead of a copied {@code LinkedHashMap}'s four, which
     * the collector would otherwise copy for every send still queued (a flood's backlog).
     */
    static Map<String, String> withLevel(Map<String, String> headers, int level) {
        if (headers.isEmpty()) return Map.of(Priority.HEADER, Priority.digit(level));
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(Priority.HEADER, Priority.digit(level));
        return h;
    }

    /** {@link #apply} after {@link #level}. */
    static Map<String, String> apply(List<LanePriority> rules, String wireLane, Map<String, String> headers) {
        return apply(headers, level(rules, wireLane, headers));
    }
}
