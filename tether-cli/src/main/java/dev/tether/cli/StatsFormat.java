package dev.tether.cli;

import dev.tether.ChannelStats;
import dev.tether.DeadLetterLimits;
import dev.tether.DeadLetterStats;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.StreamStats;
import java.util.List;

/** Renders a {@link NodeStats} snapshot for people (a table) and for scripts (one JSON object). */
final class StatsFormat {
    private StatsFormat() {}

    /** {@link #text(NodeStats)} with a row per channel. */
    static String text(NodeStats s, List<ChannelStats> channels) {
        StringBuilder b = new StringBuilder(text(s));
        if (channels.isEmpty()) return b.toString();
        b.append(String.format(
                "  %-16s %-10s %7s %9s %6s %9s %7s %9s %6s %6s %s%n",
                "channel",
                "role",
                "readers",
                "published",
                "held",
                "rejected",
                "waiting",
                "delivered",
                "missed",
                "copies",
                "endpoints"));
        for (ChannelStats c : channels) {
            b.append(String.format(
                    "  %-16s %-10s %7d %9d %6d %9s %7d %9d %6s %6d %s%n",
                    c.channel(),
                    c.role() == null ? "-" : c.role(),
                    c.readers(),
                    c.published(),
                    c.held(),
                    c.publishesRejected() + (c.rejectedByLog() > 0 ? "(" + c.rejectedByLog() + ")" : ""),
                    c.blockedPublishes(),
                    c.delivered(),
                    c.missed() + "/" + c.readersMissed(),
                    c.endpointCopies(),
                    c.endpoints().isEmpty() ? "-" : String.valueOf(c.endpoints().size())));
        }
        b.append("  (rejected: in parentheses those the log's own check refused; missed: by this node as a reader /"
                + " by the readers of its log)\n");
        return b.toString();
    }

    static String text(NodeStats s) {
        StringBuilder b = new StringBuilder();
        b.append("node ").append(s.node()).append(" (epoch ").append(s.epoch()).append(")\n");
        b.append("  connected: ")
                .append(s.connectedPeers().isEmpty() ? "-" : join(s))
                .append('\n');
        b.append(String.format(
                "  queued %d, in flight %d, delivered %d, redelivered %d, duplicates dropped %d,%n"
                        + "  dead-lettered %d, expired %d, protocol errors %d, connections rejected %d,"
                        + " kicked from the cluster by %d peers,%n"
                        + "  frames shed %d, frames fenced %d, frames ignored %d, store failures %d,%n"
                        + "  checksum mismatches %d, unsendable messages %d%n",
                s.queued(),
                s.inFlight(),
                s.delivered(),
                s.redelivered(),
                s.duplicatesDropped(),
                s.deadLettered(),
                s.expired(),
                s.protocolErrors(),
                s.connectionsRejected(),
                s.kickedFromCluster(),
                s.inboundFramesShed(),
                s.framesFenced(),
                s.framesIgnored(),
                s.storeFailures(),
                s.checksumMismatches(),
                s.unsendableMessages()));
        DeadLetterStats d = s.deadLetters();
        DeadLetterLimits l = d.limits();
        b.append(String.format(
                "  dead letters %d of %d, %d of %d bytes, max age %s, when full %s; evicted %d, expired %d, refused %d,"
                        + " streams blocked %d%n",
                d.count(),
                l.maxCount(),
                d.bytes(),
                l.maxBytes(),
                l.maxAge(),
                l.whenFull(),
                d.evicted(),
                d.expired(),
                d.refused(),
                d.blockedStreams()));
        overflow(b, s);
        streams(b, s);
        return b.toString();
    }

    /** Sends and publishes refused or dropped over a limit, and the history's entries: the node's totals. */
    private static void overflow(StringBuilder b, NodeStats s) {
        b.append(String.format(
                "  sends over a stream limit: rejected %d, dropped %d, waiting for room now %d%n",
                s.rejected(), s.dropped(), s.blockedSends()));
        b.append(String.format(
                "  publishes over a channel log's limit: rejected %d, waiting for room now %d%n",
                s.publishesRejected(), s.blockedPublishes()));
        b.append(String.format(
                "  history: %d entries held, %d recorded since start%n", s.historyEntries(), s.historyRecorded()));
    }

    /** One row per stream. */
    private static void streams(StringBuilder b, NodeStats s) {
        if (!s.streams().isEmpty()) {
            b.append(String.format(
                    "  %-4s %-16s %-16s %10s %10s %8s %8s %10s %s%n",
                    "dir", "peer", "lane", "cursor", "last seq", "queued", "in fl.", "delivered", "state"));
            for (StreamStats t : s.streams()) {
                b.append(String.format(
                        "  %-4s %-16s %-16s %10d %10d %8d %8d %10d %s%n",
                        t.direction() == StreamStats.Direction.OUTBOUND ? "out" : "in",
                        t.peer(),
                        t.lane(),
                        t.cursor(),
                        t.lastSeq(),
                        t.queued(),
                        t.inFlight(),
                        t.delivered(),
                        state(t)));
            }
        }
    }

    /** {@link #json(NodeStats)} with {@code "channels"}: one object per channel. */
    static String json(NodeStats s, List<ChannelStats> channels) {
        StringBuilder l = new StringBuilder("[");
        for (ChannelStats c : channels) {
            if (l.length() > 1) l.append(',');
            java.util.Map<String, String> endpoints = new java.util.TreeMap<>();
            c.endpoints().forEach((agent, role) -> endpoints.put(agent, role.name()));
            l.append(Json.object()
                    .put("channel", c.channel())
                    .put("role", c.role() == null ? null : c.role().name())
                    .put("endpoints", endpoints)
                    .put("readers", c.readers())
                    .put("published", c.published())
                    .put("held", c.held())
                    .put("publishesRejected", c.publishesRejected())
                    .put("rejectedByLog", c.rejectedByLog())
                    .put("blockedPublishes", c.blockedPublishes())
                    .put("readersMissed", c.readersMissed())
                    .put("delivered", c.delivered())
                    .put("missed", c.missed())
                    .put("endpointCopies", c.endpointCopies()));
        }
        String node = json(s);
        return node.substring(0, node.length() - 1) + ",\"channels\":" + l.append(']') + "}";
    }

    /** One object per stream, in a JSON array. */
    private static String streamsJson(NodeStats s) {
        StringBuilder streams = new StringBuilder("[");
        for (StreamStats t : s.streams()) {
            if (streams.length() > 1) streams.append(',');
            streams.append(Json.object()
                    .put("peer", t.peer().value())
                    .put("lane", t.lane())
                    .put("direction", t.direction().name())
                    .put("cursor", t.cursor())
                    .put("lastSeq", t.lastSeq())
                    .put("queued", t.queued())
                    .put("inFlight", t.inFlight())
                    .put("sent", t.sent())
                    .put("retransmitted", t.retransmitted())
                    .put("delivered", t.delivered())
                    .put("redelivered", t.redelivered())
                    .put("duplicatesDropped", t.duplicatesDropped())
                    .put("deadLettered", t.deadLettered())
                    .put("expired", t.expired())
                    .put("blocked", t.blocked())
                    .put("rejected", t.rejected())
                    .put("dropped", t.dropped())
                    .put("blockedSends", t.blockedSends()));
        }
        return streams.append(']').toString();
    }

    static String json(NodeStats s) {
        String streams = streamsJson(s);
        StringBuilder peers = new StringBuilder("[");
        for (NodeId p : s.connectedPeers()) {
            if (peers.length() > 1) peers.append(',');
            Json.quote(peers, p.value());
        }
        peers.append(']');
        return Json.object()
                .put("node", s.node().value())
                .put("epoch", s.epoch())
                .putRaw("connectedPeers", peers.toString())
                .put("queued", s.queued())
                .put("inFlight", s.inFlight())
                .put("delivered", s.delivered())
                .put("redelivered", s.redelivered())
                .put("duplicatesDropped", s.duplicatesDropped())
                .put("deadLettered", s.deadLettered())
                .put("expired", s.expired())
                .put("protocolErrors", s.protocolErrors())
                .put("connectionsRejected", s.connectionsRejected())
                .put("kickedFromCluster", s.kickedFromCluster())
                .put("inboundFramesShed", s.inboundFramesShed())
                .put("framesFenced", s.framesFenced())
                .put("framesIgnored", s.framesIgnored())
                .put("storeFailures", s.storeFailures())
                .put("checksumMismatches", s.checksumMismatches())
                .put("unsendableMessages", s.unsendableMessages())
                .put("listenerErrors", s.listenerErrors())
                .put("handlerErrors", s.handlerErrors())
                .put("rejected", s.rejected())
                .put("dropped", s.dropped())
                .put("blockedSends", s.blockedSends())
                .put("publishesRejected", s.publishesRejected())
                .put("blockedPublishes", s.blockedPublishes())
                .put("historyRecorded", s.historyRecorded())
                .put("historyEntries", s.historyEntries())
                .putRaw("deadLetters", deadLetters(s.deadLetters()))
                .putRaw("streams", streams)
                .toString();
    }

    /** The stream's state column: blocked or ok, then the overflow counts that are not zero. */
    private static String state(StreamStats t) {
        StringBuilder b = new StringBuilder(t.blocked() ? "BLOCKED" : "ok");
        if (t.rejected() > 0) b.append(" rejected=").append(t.rejected());
        if (t.dropped() > 0) b.append(" dropped=").append(t.dropped());
        if (t.blockedSends() > 0) b.append(" waiting=").append(t.blockedSends());
        return b.toString();
    }

    private static String deadLetters(DeadLetterStats d) {
        return Json.object()
                .put("count", d.count())
                .put("bytes", d.bytes())
                .put("oldestAtMillis", d.oldestAtMillis())
                .put("evicted", d.evicted())
                .put("expired", d.expired())
                .put("refused", d.refused())
                .put("blockedStreams", d.blockedStreams())
                .put("maxCount", d.limits().maxCount())
                .put("maxBytes", d.limits().maxBytes())
                .put("maxAgeMillis", d.limits().maxAgeMillis())
                .put("whenFull", d.limits().whenFull().name())
                .toString();
    }

    private static String join(NodeStats s) {
        return String.join(", ", s.connectedPeers().stream().map(NodeId::value).toList());
    }
}
