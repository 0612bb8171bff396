package dev.tether.bus;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import java.util.Objects;

/**
 * The address of an endpoint (agent): its node and its name, written {@code node/agent} (docs/MESSAGING.md,
 * "Endpoints"). An address whose {@link #agent()} is null stands for the node itself: the sender of a message sent
 * by the node rather than by one of its endpoints. Compared by value; immutable.
 *
 * @param node the node the endpoint lives on
 * @param agent the endpoint's name on that node, or null for the node itself
 */
public record Address(NodeId node, String agent) {
    /** Longest agent name, in characters. */
    public static final int MAX_AGENT_LENGTH = 32;

    /** Longest sub-lane name, in characters ({@code _a.} + agent + {@code .} + sub-lane fits a 64-character lane). */
    public static final int MAX_SUB_LANE_LENGTH = 24;

    /**
     * @throws NullPointerException if {@code node} is null
     * @throws InvalidIdException if {@code agent} is not 1-32 characters from {@code [A-Za-z0-9_-]}
     * @throws IllegalArgumentException if {@code agent} starts with {@code '_'}, reserved for Tether
     */
    public Address {
        Objects.requireNonNull(node, "node");
        if (agent != null) requireAgentName(agent);
    }

    /** The address of endpoint {@code agent} of {@code node}; the same checks as the constructor. */
    public static Address of(NodeId node, String agent) {
        return new Address(node, Objects.requireNonNull(agent, "agent"));
    }

    /**
     * Parses {@code node/agent}.
     *
     * @throws InvalidIdException if {@code text} is null, has no {@code '/'}, or its node id or agent name is invalid
     * @throws IllegalArgumentException if the agent name is reserved (starts with {@code '_'})
     */
    public static Address parse(String text) {
        if (text == null) throw new InvalidIdException("address must not be null");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new InvalidIdException("invalid address '" + printable(text) + "': expected node/agent");
        }
        NodeId node;
        try {
            node = NodeId.of(text.substring(0, slash));
        } catch (InvalidIdException e) {
            throw new InvalidIdException("invalid address '" + printable(text) + "': " + e.getMessage(), e);
        }
        return of(node, text.substring(slash + 1));
    }

    /** Whether this address stands for the node itself rather than one of its endpoints. */
    public boolean isNode() {
        return agent == null;
    }

    /**
     * Returns {@code name} if it is a valid agent name that is not reserved.
     *
     * @throws InvalidIdException if it is null or not 1-32 characters from {@code [A-Za-z0-9_-]}
     * @throws IllegalArgumentException if it starts with {@code '_'}
     */
    public static String requireAgentName(String name) {
        if (!isValidName(name, MAX_AGENT_LENGTH, false)) {
            throw new InvalidIdException("invalid agent name '" + printable(name) + "': expected 1-" + MAX_AGENT_LENGTH
                    + " characters from [A-Za-z0-9_-] (no dot: it separates a sub-lane)");
        }
        if (name.charAt(0) == '_') {
            throw new IllegalArgumentException(
                    "agent name '" + name + "' starts with '_', which is reserved for Tether's own endpoints");
        }
        return name;
    }

    /**
     * Returns {@code subLane} if it is a valid sub-lane name.
     *
     * @throws InvalidIdException if it is null or not 1-24 characters from {@code [A-Za-z0-9._-]}
     */
    public static String requireSubLane(String subLane) {
        if (!isValidName(subLane, MAX_SUB_LANE_LENGTH, true)) {
            throw new InvalidIdException("invalid sub-lane '" + printable(subLane) + "': expected 1-"
                    + MAX_SUB_LANE_LENGTH + " characters from [A-Za-z0-9._-]");
        }
        return subLane;
    }

    private static boolean isValidName(String s, int max, boolean dots) {
        if (s == null || s.isEmpty() || s.length() > max) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '-'
                    || (dots && c == '.');
            if (!ok) return false;
        }
        return true;
    }

    private static String printable(String s) {
        if (s == null) return "null";
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder b = new StringBuilder();
        for (char c : cut.toCharArray()) b.append(c >= 0x20 && c < 0x7f ? c : '?');
        return b.toString();
    }

    /** {@code node/agent}, or the node id alone for the node itself. */
    @Override
    public String toString() {
        return agent == null ? node.value() : node.value() + "/" + agent;
    }
}
