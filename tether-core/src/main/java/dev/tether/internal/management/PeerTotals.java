package dev.tether.internal.management;

import dev.tether.NodeId;
import dev.tether.StreamStats;
import dev.tether.management.PeerStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Sums a node's stream counters per peer. */
final class PeerTotals {
    private NodeId peer;
    private int outStreams, inStreams;
    private long queued, inFlight, sent, retransmitted, delivered, deadLettered, expired;

    private PeerTotals() {}

    /** Totals per peer of {@code streams}, sorted by peer id. */
    static List<PeerStatistics> of(List<StreamStats> streams) {
        Map<String, PeerTotals> m = new TreeMap<>();
        for (StreamStats s : streams) {
            PeerTotals t = m.computeIfAbsent(s.peer().value(), k -> new PeerTotals());
            t.peer = s.peer();
            t.expired += s.expired();
            if (s.direction() == StreamStats.Direction.OUTBOUND) {
                t.outStreams++;
                t.queued += s.queued();
                t.inFlight += s.inFlight();
                t.sent += s.sent();
                t.retransmitted += s.retransmitted();
            } else {
                t.inStreams++;
                t.delivered += s.delivered();
                t.deadLettered += s.deadLettered();
            }
        }
        List<PeerStatistics> l = new ArrayList<>();
        for (PeerTotals t : m.values()) {
            l.add(new PeerStatistics(
                    t.peer,
                    t.outStreams,
                    t.queued,
                    t.inFlight,
                    t.sent,
                    t.retransmitted,
                    t.inStreams,
                    t.delivered,
                    t.deadLettered,
                    t.expired));
        }
        return l;
    }
}
