package dev.tether.internal.management;

import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.management.RecentEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What management remembers of a node's events: per peer, when its connection came up and how often it connected;
 * the latest {@value #RECENT} events for people. Node thread only: events arrive there, and readers ask there.
 */
final class EventLog {
    static final int RECENT = 200;

    /** One peer's connections since the node started. */
    static final class Connections {
        Instant since;
        long count;
    }

    private final Map<NodeId, Connections> peers = new HashMap<>();
    private final ArrayDeque<RecentEvent> recent = new ArrayDeque<>();

    void onEvent(Instant at, TetherEvent e) {
        if (e instanceof TetherEvent.PeerConnected c) {
            Connections p = peers.computeIfAbsent(c.peer(), k -> new Connections());
            p.count++;
            p.since = at;
        } else if (e instanceof TetherEvent.PeerDisconnected d) {
            Connections p = peers.get(d.peer());
            if (p != null) p.since = null;
        }
        if (recent.size() == RECENT) recent.poll();
        recent.add(new RecentEvent(at, e.getClass().getSimpleName(), e.toString()));
    }

    /** A copy of one peer's connections (zero and null if it never connected). */
    Connections connections(NodeId peer) {
        Connections p = peers.get(peer);
        Connections copy = new Connections();
        if (p != null) {
            copy.since = p.since;
            copy.count = p.count;
        }
        return copy;
    }

    Map<NodeId, Connections> allConnections() {
        Map<NodeId, Connections> m = new HashMap<>();
        for (NodeId p : peers.keySet()) m.put(p, connections(p));
        return m;
    }

    List<RecentEvent> recent() {
        return List.copyOf(recent);
    }
}
