package dev.tether.cli;

import dev.tether.NodeId;
import dev.tether.PeerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Renders {@link dev.tether.TetherNode#peers()} for people (a table, times relative to now) and for scripts (one
 * JSON object, times absolute).
 */
final class PeersFormat {
    private PeersFormat() {}

    static String text(NodeId node, List<PeerInfo> peers, Instant now) {
        StringBuilder b = new StringBuilder();
        b.append("node ").append(node).append(": ").append(peers.size()).append(peers.size() == 1 ? " peer" : " peers");
        if (peers.isEmpty()) return b.append('\n').toString();
        int idWidth = Math.max(
                4, peers.stream().mapToInt(p -> p.id().value().length()).max().orElse(0));
        String row = "  %-" + idWidth + "s  %-10s  %-9s  %-11s  %-10s  %8s  %s\n";
        b.append('\n')
                .append(String.format(
                        Locale.ROOT, row, "id", "origin", "connected", "last seen", "rtt", "unacked", "addresses"));
        for (PeerInfo p : peers) {
            b.append(String.format(
                    Locale.ROOT,
                    row,
                    p.id(),
                    p.origin(),
                    p.connected() ? "yes" : "no",
                    ago(p.lastSeen(), now),
                    p.roundTrip() == null
                            ? "-"
                            : String.format(
                                    Locale.ROOT, "%.3f ms", p.roundTrip().toNanos() / 1e6),
                    p.unacknowledged(),
                    p.addresses().isEmpty() ? "-" : String.join(",", p.addresses())));
        }
        return b.toString();
    }

    static String json(NodeId node, List<PeerInfo> peers) {
        StringBuilder list = new StringBuilder("[");
        for (PeerInfo p : peers) {
            if (list.length() > 1) list.append(',');
            list.append(Json.object()
                    .put("id", p.id().value())
                    .put("origin", p.origin().name())
                    .put("addresses", p.addresses())
                    .put("connected", p.connected())
                    .put("lastSeen", p.lastSeen() == null ? null : p.lastSeen().toString())
                    .putRaw(
                            "roundTripMs",
                            p.roundTrip() == null
                                    ? "null"
                                    : Long.toString(p.roundTrip().toMillis()))
                    .putRaw(
                            "roundTripMicros",
                            p.roundTrip() == null
                                    ? "null"
                                    : Long.toString(p.roundTrip().toNanos() / 1_000))
                    .put("unacknowledged", p.unacknowledged())
                    .put("handlers", p.handlers())
                    .put("channels", Json.channels(p.channels())));
        }
        list.append(']');
        return Json.object()
                .put("node", node.value())
                .putRaw("peers", list.toString())
                .toString();
    }

    private static String ago(Instant then, Instant now) {
        if (then == null) return "-";
        Duration d = Duration.between(then, now);
        if (d.isNegative()) d = Duration.ZERO;
        if (d.toMillis() < 60_000) return String.format(Locale.ROOT, "%.1f s ago", d.toMillis() / 1000.0);
        if (d.toMinutes() < 120) return d.toMinutes() + " min ago";
        return d.toHours() + " h ago";
    }
}
