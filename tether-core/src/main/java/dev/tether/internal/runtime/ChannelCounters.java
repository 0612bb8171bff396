package dev.tether.internal.runtime;

import dev.tether.ChannelStats;
import dev.tether.Channels;
import dev.tether.StreamStats;
import dev.tether.internal.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-channel counters of the streams' layer ({@link ChannelStats} without memberships): this node's logs (what
 * its process stored, held, the log's own refusals), publish admission ({@link ChannelRooms}: refusals, publishers
 * waiting) and the streams on channel lanes (readers of this node's logs, outbound; this node as a reader, inbound).
 * Node thread only.
 */
final class ChannelCounters {
    private ChannelCounters() {}

    /** One channel's counters while they are being added up. */
    private static final class Sums {
        int readers, blocked;
        long published, held, rejected, rejectedByLog, readersMissed, delivered, missed;
    }

    /**
     * Every channel this node has a log of, admission for, or a stream on, by name, with {@code extra} channels (the
     * memberships: joined channels have counters too, zero until something happens).
     */
    static List<ChannelStats> of(Engine engine, ChannelRooms rooms, Iterable<String> extra) {
        Map<String, Sums> by = new TreeMap<>();
        for (String c : extra) by.computeIfAbsent(c, k -> new Sums());
        for (Map.Entry<String, long[]> e : engine.logCounts().entrySet()) {
            Sums s = by.computeIfAbsent(e.getKey(), k -> new Sums());
            s.published = e.getValue()[0];
            s.held = e.getValue()[1];
            s.rejectedByLog = e.getValue()[2];
        }
        rooms.forEach((channel, rejected, waiting) -> {
            Sums s = by.computeIfAbsent(channel, k -> new Sums());
            s.rejected = rejected;
            s.blocked = waiting;
        });
        for (StreamStats t : engine.streamStats()) {
            if (!Channels.isChannelLane(t.lane())) continue;
            Sums s = by.computeIfAbsent(t.lane().substring(Channels.LANE_PREFIX.length()), k -> new Sums());
            if (t.direction() == StreamStats.Direction.OUTBOUND) {
                s.readers++;
                s.readersMissed += t.missed();
            } else {
                s.delivered += t.delivered();
                s.missed += t.missed();
            }
        }
        List<ChannelStats> l = new ArrayList<>(by.size());
        by.forEach((c, s) -> l.add(new ChannelStats(
                c,
                null,
                Map.of(),
                s.readers,
                s.published,
                s.held,
                s.rejected,
                s.rejectedByLog,
                s.blocked,
                s.readersMissed,
                s.delivered,
                s.missed,
                0)));
        return l;
    }
}
