package dev.tether.cli;

import dev.tether.ChannelRole;
import dev.tether.ChannelStats;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.node.Tether;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's endpoints with their channel memberships ({@code GET /mgmt/endpoints}, {@code tether endpoints}): every
 * endpoint registered now or durable (stored or configured, registered or not), whether it is registered and durable,
 * and the channels it joined with its role. From the public API only: {@code Bus.endpoints()}, {@code
 * Bus.durableEndpoints()} and {@code TetherNode.channelStats()}, which has each channel's endpoints (durable ones that
 * are not registered keep their stored memberships). Thread-safe (a snapshot per call).
 */
final class EndpointMemberships {
    /** One endpoint's row. */
    record Row(String name, boolean registered, boolean durable, Map<String, ChannelRole> channels) {}

    private EndpointMemberships() {}

    /** The rows of {@code node}'s endpoints, by name. */
    static List<Row> of(TetherNode node) {
        Bus bus = Tether.bus(node);
        Map<String, Map<String, ChannelRole>> channels = new TreeMap<>();
        List<String> registered = new ArrayList<>();
        for (Address a : bus.endpoints()) {
            registered.add(a.agent());
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
        channels.forEach(
                (name, joined) -> rows.add(new Row(name, registered.contains(name), durable.contains(name), joined)));
        return rows;
    }

    static String text(List<Row> rows) {
        if (rows.isEmpty()) return "no endpoints\n";
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-24s %-12s %-8s %s%n", "endpoint", "state", "durable", "channels"));
        for (Row r : rows) {
            List<String> joined = new ArrayList<>();
            r.channels().forEach((channel, role) -> joined.add("#" + channel + " " + role));
            b.append(String.format(
                    Locale.ROOT,
                    "%-24s %-12s %-8s %s%n",
                    r.name(),
                    r.registered() ? "registered" : "waiting",
                    r.durable() ? "yes" : "no",
                    joined.isEmpty() ? "-" : String.join(", ", joined)));
        }
        return b.toString();
    }

    static String json(Row r) {
        Map<String, String> joined = new TreeMap<>();
        r.channels().forEach((channel, role) -> joined.put(channel, role.name()));
        return Json.object()
                .put("endpoint", r.name())
                .put("registered", r.registered())
                .put("durable", r.durable())
                .put("channels", joined)
                .toString();
    }
}
