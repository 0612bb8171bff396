package dev.tether.cli;

import dev.tether.ChannelRole;
import dev.tether.ChannelStats;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.EndpointStats;
import dev.tether.node.Tether;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's endpoints with their channel memberships ({@code GET /mgmt/endpoints}, {@code tether endpoints}): every
 * endpoint registered now or durable (stored or configured, registered or not), whether it is registered and durable,
 * the channels it joined with its role, and a registered one's counters ({@code EndpointStats}). From the public API only: {@code Bus.endpoints()}, {@code
 * Bus.durableEndpoints()} and {@code TetherNode.channelStats()}, which has each channel's endpoints (durable ones that
 * are not registered keep their stored memberships). Thread-safe (a snapshot per call).
 */
final class EndpointMemberships {
    /** One endpoint's row; {@code stats} null unless it is registered. */
    record Row(
            String name, boolean registered, boolean durable, Map<String, ChannelRole> channels, EndpointStats stats) {}

    private EndpointMemberships() {}

    /** The rows of {@code node}'s endpoints, by name. */
    static List<Row> of(TetherNode node) {
        Bus bus = Tether.bus(node);
        Map<String, Map<String, ChannelRole>> channels = new TreeMap<>();
        Map<String, EndpointStats> registered = new HashMap<>();
        for (Address a : bus.endpoints()) {
            // an endpoint closed since the list was read has no stats: listed as not registered
            bus.find(a.agent()).ifPresent(e -> registered.put(a.agent(), e.stats()));
            channels.put(a.agent(), new TreeMap<>());
        }
        List<String> durable = bus.durableEndpoints();
        for (String d : durable) channels.putIfAbsent(d, new TreeMap<>());
        for (ChannelStats c : node.channelStats()) {
            c.endpoints()
                    .forEach((agent, role) -> channels.computeIfAbsent(agent, k -> new TreeMap<>())
                            .put(c.channel(), role));
        }
        List<Row> rows = new ArrayList<>(channels.size());
        channels.forEach((name, joined) -> {
            EndpointStats stats = registered.get(name);
            rows.add(new Row(name, stats != null, durable.contains(name), joined, stats));
        });
        return rows;
    }

    static String text(List<Row> rows) {
        if (rows.isEmpty()) return "no endpoints\n";
        StringBuilder b = new StringBuilder();
        String format = "%-24s %-12s %-8s %9s %9s %9s %7s  %s%n";
        b.append(String.format(
                Locale.ROOT,
                format,
                "endpoint",
                "state",
                "durable",
                "sent",
                "received",
                "processed",
                "failed",
                "channels"));
        for (Row r : rows) {
            List<String> joined = new ArrayList<>();
            r.channels().forEach((channel, role) -> joined.add("#" + channel + " " + role));
            EndpointStats s = r.stats();
            b.append(String.format(
                    Locale.ROOT,
                    format,
                    r.name(),
                    r.registered() ? "registered" : "waiting",
                    r.durable() ? "yes" : "no",
                    s == null ? "-" : s.sent(),
                    s == null ? "-" : s.received(),
                    s == null ? "-" : s.processed(),
                    s == null ? "-" : s.failed(),
                    joined.isEmpty() ? "-" : String.join(", ", joined)));
        }
        return b.toString();
    }

    static String json(Row r) {
        Map<String, String> joined = new TreeMap<>();
        r.channels().forEach((channel, role) -> joined.put(channel, role.name()));
        Json j = Json.object()
                .put("endpoint", r.name())
                .put("registered", r.registered())
                .put("durable", r.durable())
                .put("channels", joined);
        EndpointStats s = r.stats();
        if (s == null) return j.toString();
        return j.putRaw(
                        "stats",
                        Json.object()
                                .put("sent", s.sent())
                                .put("received", s.received())
                                .put("processed", s.processed())
                                .put("failed", s.failed())
                                .put("redeliveries", s.redeliveries())
                                .put("refused", s.refused())
                                .toString())
                .toString();
    }
}
