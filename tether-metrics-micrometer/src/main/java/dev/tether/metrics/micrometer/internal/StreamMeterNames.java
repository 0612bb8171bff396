package dev.tether.metrics.micrometer.internal;

import dev.tether.StreamStats;
import dev.tether.metrics.micrometer.internal.SnapshotMeters.StreamKey;

/** Per stream (peer, lane, direction), for the streams within the series limit. */
final class StreamMeterNames {
    private StreamMeterNames() {}

    static MeterSet<SnapshotMeters> register(MeterSet<SnapshotMeters> m, StreamKey k) {
        m.gauge(
                        "tether.stream.cursor",
                        "Outbound: highest acknowledged sequence; inbound: highest processed",
                        s -> s.stream(k, StreamStats::cursor))
                .gauge(
                        "tether.stream.last.seq",
                        "Highest sequence number assigned or seen",
                        s -> s.stream(k, StreamStats::lastSeq))
                .gauge("tether.stream.queued", "Messages stored, not yet sent", s -> s.stream(k, StreamStats::queued))
                .gauge(
                        "tether.stream.in.flight",
                        "Messages sent, not yet acknowledged",
                        s -> s.stream(k, StreamStats::inFlight))
                .gauge(
                        "tether.stream.blocked",
                        "1 while the stream waits (retry or failure policy)",
                        s -> s.stream(k, x -> x.blocked() ? 1 : 0))
                .counter(
                        "tether.stream.sent",
                        "Messages sent (first transmissions)",
                        s -> s.stream(k, StreamStats::sent))
                .counter(
                        "tether.stream.retransmitted",
                        "Messages sent again",
                        s -> s.stream(k, StreamStats::retransmitted))
                .counter(
                        "tether.stream.delivered",
                        "Messages delivered to the application",
                        s -> s.stream(k, StreamStats::delivered))
                .counter(
                        "tether.stream.dead.lettered",
                        "Messages dead-lettered",
                        s -> s.stream(k, StreamStats::deadLettered));
        return m;
    }
}
