package dev.tether.cli;

import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.management.ChannelStatus;
import dev.tether.management.DeadLetterEntry;
import dev.tether.management.MessageState;
import dev.tether.management.NodeStatistics;
import dev.tether.management.PeerStatistics;
import dev.tether.management.PeerStatus;
import dev.tether.management.PendingMessage;
import dev.tether.management.RecentEvent;
import dev.tether.management.SubscriberStatus;
import dev.tether.management.Topology;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/** The management model ({@code dev.tether.management}) as JSON, the form the admin endpoint serves it in. */
final class ManagementJson {
    private ManagementJson() {}

    static <T> String array(List<T> items, Function<T, Object> each) {
        StringBuilder sb = new StringBuilder("[");
        for (T t : items) {
            if (sb.length() > 1) sb.append(',');
            sb.append(each.apply(t));
        }
        return sb.append(']').toString();
    }

    static String topology(Topology t) {
        return Json.object()
                .put("node", t.node().value())
                .put("epoch", t.epoch())
                .put("startedAt", t.startedAt().toString())
                .put("uptimeMillis", t.uptime().toMillis())
                .putRaw("peers", array(t.peers(), ManagementJson::peer))
                .put("channels", t.channels())
                .put("kicked", t.kicked().stream().map(NodeId::value).toList())
                .toString();
    }

    private static Json peer(PeerStatus p) {
        return Json.object()
                .put("id", p.id().value())
                .put("origin", p.origin().name())
                .put("addresses", p.addresses())
                .put("connected", p.connected())
                .put("connectedSince", time(p.connectedSince()))
                .put("connections", p.connections())
                .put("reconnects", p.reconnects())
                .put("lastSeen", time(p.lastSeen()))
                .putRaw("roundTripMicros", p.roundTrip() == null ? "null" : Long.toString(micros(p)))
                .put("unacknowledged", p.unacknowledged())
                .put("handlers", p.handlers())
                .put("channels", Json.channels(p.channels()));
    }

    private static long micros(PeerStatus p) {
        return p.roundTrip().toNanos() / 1000;
    }

    static Json channel(ChannelStatus c) {
        return Json.object()
                .put("channel", c.channel())
                .put("role", c.role() == null ? null : c.role().name())
                .put("lastSeq", c.lastSeq())
                .putRaw("readers", array(c.readers(), ManagementJson::subscriber))
                .put("kicked", c.kicked().stream().map(NodeId::value).toList());
    }

    static Json subscriber(SubscriberStatus s) {
        return Json.object()
                .put("reader", s.reader().value())
                .put("connected", s.connected())
                .put("cursor", s.cursor())
                .put("backlog", s.backlog())
                .put("missed", s.missed());
    }

    static String statistics(NodeStatistics s) {
        String node = StatsFormat.json(s.node());
        return Json.object()
                .putRaw("node", node)
                .putRaw("peers", array(s.peers(), ManagementJson::peerStats))
                .toString();
    }

    private static Json peerStats(PeerStatistics p) {
        return Json.object()
                .put("peer", p.peer().value())
                .put("outboundStreams", p.outboundStreams())
                .put("queued", p.queued())
                .put("inFlight", p.inFlight())
                .put("sent", p.sent())
                .put("retransmitted", p.retransmitted())
                .put("inboundStreams", p.inboundStreams())
                .put("delivered", p.delivered())
                .put("deadLettered", p.deadLettered())
                .put("expired", p.expired());
    }

    static Json deadLetter(DeadLetterEntry d) {
        Json j = Json.object()
                .put("id", d.id())
                .put("from", d.from().value())
                .put("lane", d.lane())
                .put("seq", d.seq())
                .put("headers", d.headers())
                .put("size", d.size())
                .put("attempts", d.attempts())
                .put("reason", d.reason())
                .put("at", d.at().toString());
        return payload(j, d.payload());
    }

    static Json pending(PendingMessage m) {
        Json j = Json.object()
                .put("id", m.id().toString())
                .put("peer", m.id().to().value())
                .put("lane", m.id().lane())
                .put("seq", m.id().seq())
                .put("size", m.size())
                .put("headers", m.headers())
                .put("expiresAt", time(m.expiresAt()))
                .put("acceptedAt", time(m.acceptedAt()))
                .putRaw(
                        "ageMillis",
                        m.age() == null ? "null" : Long.toString(m.age().toMillis()))
                .put("attempts", m.attempts());
        return payload(j, m.payload());
    }

    static String state(MessageState s) {
        return Json.object()
                .put("id", s.id().toString())
                .put("status", s.status().name())
                .put("detail", s.detail())
                .toString();
    }

    static Json event(RecentEvent e) {
        return Json.object().put("at", e.at().toString()).put("kind", e.kind()).put("text", e.text());
    }

    static String messageId(MessageId id) {
        return Json.object()
                .put("id", id.toString())
                .put("peer", id.to().value())
                .put("lane", id.lane())
                .put("seq", id.seq())
                .toString();
    }

    /** The payload as base64 and, if it is valid UTF-8, as text too; nothing if it was not asked for. */
    static Json payload(Json j, byte[] payload) {
        if (payload == null) return j;
        j.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString();
            j.put("payloadText", text);
        } catch (CharacterCodingException e) {
            j.put("payloadText", (String) null); // binary: base64 only
        }
        return j;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
