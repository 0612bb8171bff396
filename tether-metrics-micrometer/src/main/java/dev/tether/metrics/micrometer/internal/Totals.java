package dev.tether.metrics.micrometer.internal;

import dev.tether.StreamStats;

/** Sums over a set of streams (one peer, one direction), computed once per snapshot so a scrape adds nothing up. */
record Totals(
        long queued,
        long inFlight,
        long sent,
        long retransmitted,
        long delivered,
        long redelivered,
        long duplicatesDropped,
        long deadLettered,
        long expired,
        long streams) {
    static final Totals NONE = new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    Totals plus(StreamStats s) {
        return new Totals(
                queued + s.queued(),
                inFlight + s.inFlight(),
                sent + s.sent(),
                retransmitted + s.retransmitted(),
                delivered + s.delivered(),
                redelivered + s.redelivered(),
                duplicatesDropped + s.duplicatesDropped(),
                deadLettered + s.deadLettered(),
                expired + s.expired(),
                streams + 1);
    }
}
