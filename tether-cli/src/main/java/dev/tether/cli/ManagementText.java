package dev.tether.cli;

import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.management.ChannelStatus;
import dev.tether.management.DeadLetterEntry;
import dev.tether.management.KickResult;
import dev.tether.management.MessageState;
import dev.tether.management.NodeKickResult;
import dev.tether.management.PeerStatus;
import dev.tether.management.PendingMessage;
import dev.tether.management.PurgeResult;
import dev.tether.management.SubscriberStatus;
import dev.tether.management.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The management model as text for people: what {@code tether topology}, {@code nodes}, {@code dlq list} print. */
final class ManagementText {
    private ManagementText() {}

    /** {@code tether message-status}: {@code ID STATUS[: detail]}. */
    static String state(MessageState s) {
        String detail = s.detail() == null || s.detail().isEmpty() ? "" : ": " + s.detail();
        return s.id() + " " + s.status() + detail + "\n";
    }

    /** {@code tether dlq replay}: the id the dead letter was sent again as. */
    static String replayed(MessageId id) {
        return "replayed as " + id + "\n";
    }

    /** {@code tether dlq purge}. */
    static String purgedDeadLetters(int purged) {
        return "purged " + purged + (purged == 1 ? " dead letter" : " dead letters") + "\n";
    }

    /** {@code tether purge}. */
    static String purged(PurgeResult r) {
        return "purged " + r.messages() + " messages on " + r.streams() + (r.streams() == 1 ? " stream" : " streams")
                + "\n";
    }

    /** {@code tether kick --channel C N}. */
    static String kicked(KickResult r) {
        return "kicked " + r.node() + " from channel " + r.channel() + ": " + (r.wasReader() ? "" : "not ")
                + "a reader, " + r.dropped() + " messages dropped, told " + names(r.told()) + "\n";
    }

    /** {@code tether kick N}. */
    static String kicked(NodeKickResult r) {
        return "kicked " + r.node() + " from the cluster: " + (r.wasKnown() ? "" : "not ") + "a known peer, "
                + r.purged() + " messages purged, " + r.dropped() + " dropped, told " + names(r.told()) + "\n";
    }

    /** {@code tether readmit [--channel C] N}. */
    static String readmitted(NodeId node, String channel, List<NodeId> told) {
        return "readmitted " + node + (channel == null ? " to the cluster" : " to channel " + channel) + ", told "
                + names(told) + "\n";
    }

    private static String names(List<NodeId> ids) {
        return ids.isEmpty()
                ? "none"
                : String.join(",", ids.stream().map(NodeId::value).toList());
    }

    static String topology(Topology t) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "node %s: up %s (since %s), epoch %d, %d peers, channels: %s%n",
                t.node(),
                duration(t.uptime()),
                t.startedAt(),
                t.epoch(),
                t.peers().size(),
                t.channels().isEmpty() ? "none" : String.join(",", t.channels())));
        String row = "  %-16s %-10s %-9s %-14s %10s %8s %8s  %s%n";
        b.append(String.format(
                Locale.ROOT,
                row,
                "peer",
                "origin",
                "connected",
                "up for",
                "reconnects",
                "rtt ms",
                "unacked",
                "addresses"));
        Instant now = t.startedAt().plus(t.uptime());
        for (PeerStatus p : t.peers()) {
            b.append(String.format(
                    Locale.ROOT,
                    row,
                    p.id(),
                    p.origin(),
                    p.connected() ? "yes" : "no",
                    p.connectedSince() == null ? "-" : duration(Duration.between(p.connectedSince(), now)),
                    p.reconnects(),
                    p.roundTrip() == null
                            ? "-"
                            : String.format(Locale.ROOT, "%.3f", p.roundTrip().toNanos() / 1e6),
                    p.unacknowledged(),
                    p.addresses().isEmpty() ? "-" : String.join(",", p.addresses())));
        }
        if (!t.kicked().isEmpty()) {
            List<String> ids = t.kicked().stream().map(NodeId::value).toList();
            b.append(String.format(Locale.ROOT, "  kicked from the cluster: %s%n", String.join(", ", ids)));
        }
        return b.toString();
    }

    /** One line per node: this one, then every peer. */
    static String nodes(Topology t) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-16s %-9s %s%n", "node", "state", "addresses"));
        b.append(String.format(Locale.ROOT, "%-16s %-9s %s%n", t.node(), "self", "-"));
        for (PeerStatus p : t.peers()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-16s %-9s %s%n",
                    p.id(),
                    p.connected() ? "connected" : "down",
                    p.addresses().isEmpty() ? "-" : String.join(",", p.addresses())));
        }
        return b.toString();
    }

    /** One block per channel: its role here, then the readers of this node's log of it. */
    static String channels(List<ChannelStatus> l) {
        if (l.isEmpty()) return "no channels\n";
        StringBuilder b = new StringBuilder();
        for (ChannelStatus c : l) {
            b.append(String.format(
                    Locale.ROOT,
                    "#%s  role %s, last published %d, %d readers%n",
                    c.channel(),
                    c.role() == null ? "none (left)" : c.role(),
                    c.lastSeq(),
                    c.readers().size()));
            if (!c.readers().isEmpty()) b.append(subscriberRows(c.readers()));
            if (!c.kicked().isEmpty()) {
                List<String> ids = c.kicked().stream().map(NodeId::value).toList();
                b.append(String.format(Locale.ROOT, "  kicked: %s%n", String.join(", ", ids)));
            }
        }
        return b.toString();
    }

    static String subscribers(String channel, List<SubscriberStatus> l) {
        if (l.isEmpty()) return "no readers of this node's messages on #" + channel + "\n";
        return subscriberRows(l);
    }

    private static String subscriberRows(List<SubscriberStatus> l) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT, "  %-16s %-9s %10s %10s %10s%n", "reader", "state", "cursor", "backlog", "missed"));
        for (SubscriberStatus s : l) {
            b.append(String.format(
                    Locale.ROOT,
                    "  %-16s %-9s %10d %10d %10d%n",
                    s.reader(),
                    s.connected() ? "connected" : "down",
                    s.cursor(),
                    s.backlog(),
                    s.missed()));
        }
        return b.toString();
    }

    static String deadLetters(List<DeadLetterEntry> l) {
        if (l.isEmpty()) return "no dead letters\n";
        StringBuilder b = new StringBuilder();
        for (DeadLetterEntry d : l) {
            b.append(String.format(
                    Locale.ROOT,
                    "%s  attempts=%d size=%d at=%s reason=%s%s%n",
                    d.id(),
                    d.attempts(),
                    d.size(),
                    d.at(),
                    d.reason(),
                    d.payload() == null ? "" : " payload=" + printable(d.payload())));
        }
        return b.toString();
    }

    static String pending(List<PendingMessage> l) {
        if (l.isEmpty()) return "no pending messages\n";
        StringBuilder b = new StringBuilder();
        for (PendingMessage m : l) {
            b.append(String.format(
                    Locale.ROOT,
                    "%s  size=%d age=%s attempts=%d expires=%s%s%n",
                    m.id(),
                    m.size(),
                    m.age() == null ? "unknown" : m.age().toMillis() + "ms",
                    m.attempts(),
                    m.expiresAt() == null ? "never" : m.expiresAt().toString(),
                    m.payload() == null ? "" : " payload=" + printable(m.payload())));
        }
        return b.toString();
    }

    static String printable(byte[] payload) {
        String s = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        return s.chars().allMatch(c -> !Character.isISOControl(c) && c != 0xfffd && c != 0x2028 && c != 0x2029)
                ? s
                : "(binary, " + payload.length + " bytes)";
    }

    private static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        if (s < 3600) return (s / 60) + " min " + (s % 60) + " s";
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}
