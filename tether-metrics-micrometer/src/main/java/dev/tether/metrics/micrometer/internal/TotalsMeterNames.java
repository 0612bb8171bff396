package dev.tether.metrics.micrometer.internal;

import dev.tether.NodeId;
import dev.tether.StreamStats.Direction;

/** Per peer and direction: the sums over all its streams, whether or not a stream has its own series. */
final class TotalsMeterNames {
    private TotalsMeterNames() {}

    static MeterSet<SnapshotMeters> register(MeterSet<SnapshotMeters> m, NodeId p, Direction d) {
        m.gauge("tether.peer.streams", "Streams with the peer in this direction", s -> s.totals(p, d, Totals::streams))
                .gauge(
                        "tether.peer.messages.queued",
                        "Messages stored, not yet sent",
                        s -> s.totals(p, d, Totals::queued))
                .gauge(
                        "tether.peer.messages.in.flight",
                        "Messages sent, not yet acknowledged",
                        s -> s.totals(p, d, Totals::inFlight))
                .counter(
                        "tether.peer.messages.sent",
                        "Messages sent (first transmissions)",
                        s -> s.totals(p, d, Totals::sent))
                .counter(
                        "tether.peer.messages.retransmitted",
                        "Messages sent again",
                        s -> s.totals(p, d, Totals::retransmitted))
                .counter(
                        "tether.peer.messages.delivered",
                        "Messages delivered to the application",
                        s -> s.totals(p, d, Totals::delivered))
                .counter(
                        "tether.peer.messages.redelivered",
                        "Deliveries flagged as redelivery",
                        s -> s.totals(p, d, Totals::redelivered))
                .counter(
                        "tether.peer.messages.duplicates.dropped",
                        "Duplicates dropped",
                        s -> s.totals(p, d, Totals::duplicatesDropped))
                .counter(
                        "tether.peer.messages.dead.lettered",
                        "Messages dead-lettered",
                        s -> s.totals(p, d, Totals::deadLettered))
                .counter("tether.peer.messages.expired", "Messages expired", s -> s.totals(p, d, Totals::expired));
        return m;
    }
}
