package dev.tether.cli;

import dev.tether.InvalidIdException;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.StoreException;
import dev.tether.TetherException;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import dev.tether.bus.HistoryEntry;
import dev.tether.management.ChannelStatus;
import dev.tether.management.DeadLetterEntry;
import dev.tether.management.KickResult;
import dev.tether.management.NoSuchDeadLetterException;
import dev.tether.management.NodeKickResult;
import dev.tether.management.NodeManagement;
import dev.tether.management.PendingMessage;
import dev.tether.management.PurgeResult;
import dev.tether.node.Tether;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The management model over HTTP/JSON, under {@code /mgmt/} on the admin endpoint (docs/OPERATIONS.md, "Management"):
 *
 * <ul>
 *   <li>{@code GET /mgmt/topology}, {@code GET /mgmt/nodes}, {@code GET /mgmt/stats}, {@code GET /mgmt/events}
 *   <li>{@code GET /mgmt/channels}; {@code GET /mgmt/subscribers?channel=C}: this node's channels, the readers of its
 *       log of one; {@code GET /mgmt/endpoints}: its endpoints and the channels each joined, with its role
 *   <li>{@code GET /mgmt/dead-letters[?max=N][&payloads=1]}; {@code POST /mgmt/dead-letters/replay?id=ID&to=PEER
 *       &lane=LANE}; {@code POST /mgmt/dead-letters/purge?id=ID[&id=...]} or {@code ?all=1}
 *   <li>{@code GET /mgmt/pending?peer=P&lane=L[&max=N][&payloads=1]}; {@code GET /mgmt/message?peer=P&lane=L&seq=N}
 *   <li>{@code GET /mgmt/history[?peer=P][&agent=A][&channel=C][&lane=L][&kind=K][&direction=in|out][&outcome=O]
 *       [&since=10m | &from=T][&to=T][&after=ID][&max=N][&payloads=1]} ({@link HistoryRoutes})
 *   <li>{@code POST /mgmt/purge?peer=P[&lane=L]}, or {@code ?all=1} for every outbound stream
 *   <li>{@code POST /mgmt/kick?node=N[&channel=C]}; {@code POST /mgmt/readmit?node=N[&channel=C]} (without a
 *       channel: from and to the cluster)
 * </ul>
 *
 * A change refuses a query parameter it does not know (400, {@link QueryParameters}); a readmit of a node not kicked
 * is 404; payloads are bounded in bytes ({@link BoundedPayloads}). JSON, or text for people with {@code format=text} (topology, nodes, channels, subscribers, endpoints, dead letters, pending). Bad input is 400 with the reason, an unknown stream, peer or dead letter 404, a wrong method 405; nothing is changed
 * then. Thread-safe: each request runs on its connection's thread and waits for the node's answer.
 */
final class ManagementRoutes {
    private static final int DEFAULT_MAX = 100;
    private static final int MAX_MAX = 10_000;

    private final NodeManagement m;
    private final TetherNode node;

    ManagementRoutes(TetherNode node) {
        this.m = Tether.management(node);
        this.node = node;
    }

    NodeManagement management() {
        return m;
    }

    CallRoutes.Answer handle(String method, String path, Map<String, List<String>> q) throws HttpError {
        try {
            return route(method, path, q);
        } catch (NoSuchDeadLetterException | UnknownPeerException e) {
            throw new HttpError(404, e.getMessage());
        } catch (InvalidIdException | IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        } catch (StoreException e) {
            throw new HttpError(500, "the store failed, nothing was changed: " + e.getMessage());
        } catch (QueueFullException e) {
            throw new HttpError(503, e.getMessage());
        } catch (NodeClosedException e) {
            throw e; // 503, as for every route
        } catch (TetherException e) {
            throw new HttpError(500, e.getMessage());
        }
    }

    private CallRoutes.Answer route(String method, String path, Map<String, List<String>> q) throws HttpError {
        switch (path) {
            case "/mgmt/topology":
                require(method, "GET");
                if (text(q)) return text(ManagementText.topology(m.topology()));
                return ok(ManagementJson.topology(m.topology()));
            case "/mgmt/nodes":
                require(method, "GET");
                if (text(q)) return text(ManagementText.nodes(m.topology()));
                return ok(ManagementJson.topology(m.topology()));
            case "/mgmt/channels":
                require(method, "GET");
                if (text(q)) return text(ManagementText.channels(m.channels()));
                return ok(ManagementJson.array(m.channels(), ManagementJson::channel));
            case "/mgmt/endpoints":
                require(method, "GET");
                List<EndpointMemberships.Row> rows = EndpointMemberships.of(node);
                if (text(q)) return text(EndpointMemberships.text(rows));
                return ok(ManagementJson.array(rows, EndpointMemberships::json));
            case "/mgmt/subscribers":
                require(method, "GET");
                String channel = required(q, "channel");
                if (text(q)) return text(ManagementText.subscribers(channel, m.subscribers(channel)));
                return ok(ManagementJson.array(m.subscribers(channel), ManagementJson::subscriber));
            case "/mgmt/stats":
                return json(method, "GET", ManagementJson.statistics(m.statistics()));
            case "/mgmt/events":
                return json(method, "GET", ManagementJson.array(m.recentEvents(), ManagementJson::event));
            case "/mgmt/dead-letters":
                require(method, "GET");
                boolean deadPayloads = flag(q, "payloads");
                List<DeadLetterEntry> dead = BoundedPayloads.deadLetters(m, max(q), deadPayloads);
                if (text(q)) return text(ManagementText.deadLetters(dead));
                return ok(ManagementJson.array(
                        dead, d -> omitted(ManagementJson.deadLetter(d), deadPayloads, d.payload())));
            case "/mgmt/pending":
                require(method, "GET");
                boolean payloads = flag(q, "payloads");
                List<PendingMessage> pending =
                        BoundedPayloads.pending(m, peer(q), required(q, "lane"), max(q), payloads);
                if (text(q)) return text(ManagementText.pending(pending));
                return ok(
                        ManagementJson.array(pending, p -> omitted(ManagementJson.pending(p), payloads, p.payload())));
            case "/mgmt/history":
                require(method, "GET");
                List<HistoryEntry> history = m.history(HistoryRoutes.query(q, System.currentTimeMillis()));
                if (text(q)) return text(HistoryRoutes.text(history));
                return ok(ManagementJson.array(history, HistoryRoutes::json));
            case "/mgmt/message":
                require(method, "GET");
                long seq = number(q, "seq");
                if (seq < 1) throw new HttpError(400, "seq must be 1 or more, was " + seq);
                dev.tether.management.MessageState state =
                        m.messageState(new MessageId(peer(q), required(q, "lane"), seq));
                return either(q, ManagementJson.state(state), ManagementText.state(state));
            default:
                return change(method, path, q);
        }
    }

    /** The requests that change something: POST only. */
    private CallRoutes.Answer change(String method, String path, Map<String, List<String>> q) throws HttpError {
        switch (path) {
            case "/mgmt/dead-letters/replay":
                require(method, "POST");
                QueryParameters.allowOnly(q, path, "id", "to", "lane");
                MessageId sent =
                        m.replayDeadLetter(required(q, "id"), NodeId.of(required(q, "to")), required(q, "lane"));
                return either(q, ManagementJson.messageId(sent), ManagementText.replayed(sent));
            case "/mgmt/dead-letters/purge":
                require(method, "POST");
                QueryParameters.allowOnly(q, path, "id", "all");
                List<String> ids = q.getOrDefault("id", List.of());
                if (ids.isEmpty() && !flag(q, "all")) throw new HttpError(400, "give id=ID (repeatable) or all=1");
                int purged = m.purgeDeadLetters(ids);
                return either(
                        q, Json.object().put("purged", purged).toString(), ManagementText.purgedDeadLetters(purged));
            case "/mgmt/purge":
                require(method, "POST");
                QueryParameters.allowOnly(q, path, "peer", "lane", "all");
                return purge(q);
            case "/mgmt/kick":
                require(method, "POST");
                QueryParameters.allowOnly(q, path, "node", "channel");
                return kick(q, NodeId.of(required(q, "node")), AdminServer.first(q, "channel", null));
            case "/mgmt/readmit":
                require(method, "POST");
                QueryParameters.allowOnly(q, path, "node", "channel");
                NodeId readmitted = NodeId.of(required(q, "node"));
                String from = AdminServer.first(q, "channel", null);
                requireKicked(readmitted, from);
                List<NodeId> told = from == null ? m.readmit(readmitted) : m.readmit(readmitted, from);
                return either(
                        q,
                        Json.object().put("told", ids(told)).toString(),
                        ManagementText.readmitted(readmitted, from, told));
            default:
                throw new HttpError(
                        404,
                        "no such management endpoint: " + path
                                + " (try /mgmt/topology, /mgmt/channels, /mgmt/endpoints, /mgmt/stats,"
                                + " /mgmt/events, /mgmt/dead-letters, /mgmt/pending, /mgmt/message, /mgmt/history,"
                                + " /mgmt/purge, /mgmt/kick, /mgmt/readmit)");
        }
    }

    private CallRoutes.Answer purge(Map<String, List<String>> q) throws HttpError {
        String peer = AdminServer.first(q, "peer", null);
        String lane = AdminServer.first(q, "lane", null);
        if (peer == null && lane == null && !flag(q, "all")) {
            throw new HttpError(400, "give peer=P (and lane=L), or all=1 to purge every outbound stream");
        }
        if (peer == null && lane != null) throw new HttpError(400, "lane=L needs peer=P");
        PurgeResult r = m.purge(peer == null ? null : NodeId.of(peer), lane);
        String json = Json.object()
                .put("streams", r.streams())
                .put("messages", r.messages())
                .toString();
        return either(q, json, ManagementText.purged(r));
    }

    /**
     * Refuses to readmit a node this node holds no kick of (from {@code channel}, or from the cluster if null): a
     * readmit stores a verdict and adds the node as a peer, so a mistyped id would become a stored peer that every
     * message to it waits for. A kick that arrives between this check and the readmit is lifted by it, as asked.
     *
     * @throws HttpError 404 naming what was not kicked; nothing is changed
     */
    private void requireKicked(NodeId node, String channel) throws HttpError {
        if (channel == null) {
            if (!m.topology().kicked().contains(node)) {
                throw new HttpError(
                        404,
                        node + " was not kicked from the cluster (as far as this node knows):"
                                + " nothing to readmit, nothing changed");
            }
            return;
        }
        for (ChannelStatus c : m.channels()) {
            if (c.channel().equals(channel) && c.kicked().contains(node)) return;
        }
        throw new HttpError(
                404,
                node + " was not kicked from channel " + channel + " (as far as this node knows):"
                        + " nothing to readmit, nothing changed");
    }

    /** A kick from {@code channel}, or from the cluster if it is null. */
    private CallRoutes.Answer kick(Map<String, List<String>> q, NodeId node, String channel) {
        if (channel != null) {
            KickResult r = m.kick(node, channel);
            return either(q, kick(r), ManagementText.kicked(r));
        }
        NodeKickResult r = m.kick(node);
        String json = Json.object()
                .put("node", r.node().value())
                .put("wasKnown", r.wasKnown())
                .put("purged", r.purged())
                .put("dropped", r.dropped())
                .put("told", ids(r.told()))
                .toString();
        return either(q, json, ManagementText.kicked(r));
    }

    private static String kick(KickResult r) {
        return Json.object()
                .put("channel", r.channel())
                .put("node", r.node().value())
                .put("wasReader", r.wasReader())
                .put("dropped", r.dropped())
                .put("told", ids(r.told()))
                .toString();
    }

    /** Marks an entry whose payload was asked for but left out, the answer's payload bytes being bounded. */
    private static Json omitted(Json entry, boolean asked, byte[] payload) {
        return BoundedPayloads.omitted(asked, payload) ? entry.put("payloadOmitted", true) : entry;
    }

    private static List<String> ids(List<NodeId> ids) {
        return ids.stream().map(NodeId::value).toList();
    }

    private static boolean text(Map<String, List<String>> q) {
        return "text".equals(AdminServer.first(q, "format", "json"));
    }

    /** {@code json} (the default), or {@code text} if the query asks for {@code format=text}. */
    private static CallRoutes.Answer either(Map<String, List<String>> q, String json, String text) {
        return text(q) ? text(text) : ok(json);
    }

    private static CallRoutes.Answer text(String body) {
        return new CallRoutes.Answer(200, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static CallRoutes.Answer json(String method, String expected, String body) throws HttpError {
        require(method, expected);
        return ok(body);
    }

    private static CallRoutes.Answer ok(String json) {
        return new CallRoutes.Answer(200, "application/json", (json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void require(String method, String expected) throws HttpError {
        if (!method.equals(expected)) throw new HttpError(405, "use " + expected + ", not " + method);
    }

    private static NodeId peer(Map<String, List<String>> q) throws HttpError {
        return NodeId.of(required(q, "peer"));
    }

    private static String required(Map<String, List<String>> q, String name) throws HttpError {
        String v = AdminServer.first(q, name, null);
        if (v == null || v.isEmpty()) throw new HttpError(400, "missing query parameter " + name);
        return v;
    }

    private static boolean flag(Map<String, List<String>> q, String name) {
        String v = AdminServer.first(q, name, null);
        return v != null && (v.equals("1") || v.equals("true") || v.isEmpty());
    }

    private static int max(Map<String, List<String>> q) throws HttpError {
        String v = AdminServer.first(q, "max", null);
        if (v == null) return DEFAULT_MAX;
        long n = number(q, "max");
        if (n < 1 || n > MAX_MAX) throw new HttpError(400, "max must be 1.." + MAX_MAX + ", was " + n);
        return (int) n;
    }

    private static long number(Map<String, List<String>> q, String name) throws HttpError {
        String v = required(q, name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new HttpError(400, name + " must be a number, was '" + v + "'");
        }
    }
}
