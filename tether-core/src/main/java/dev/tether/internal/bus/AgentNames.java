package dev.tether.internal.bus;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent names of endpoint lanes ({@link EndpointLanes#agentOf}), kept once per lane, so that routing a message to
 * its endpoint makes no substring and hashes no new string per message: a stream's lane is one string, whose hash it
 * keeps. At most {@link #MAX} lanes are kept; past that the table starts over (names are computed again, nothing is
 * lost). Threading: any thread.
 */
final class AgentNames {
    static final int MAX = 65_536;

    private final ConcurrentHashMap<String, String> byLane = new ConcurrentHashMap<>();

    /** The agent of endpoint lane {@code lane}, or null if it names none. */
    String of(String lane) {
        String agent = byLane.get(lane);
        if (agent != null) return agent;
        agent = EndpointLanes.agentOf(lane);
        if (agent == null) return null;
        if (byLane.size() >= MAX) byLane.clear();
        byLane.put(lane, agent);
        return agent;
    }

    /** The lanes kept. */
    int size() {
        return byLane.size();
    }
}
