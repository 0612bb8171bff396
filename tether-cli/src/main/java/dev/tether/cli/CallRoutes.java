package dev.tether.cli;

import dev.tether.Call;
import dev.tether.DeadlineExceededException;
import dev.tether.HandlerNames;
import dev.tether.MessageTooLargeException;
import dev.tether.NoSuchHandlerException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.RemoteHandlerException;
import dev.tether.Reply;
import dev.tether.StoreException;
import dev.tether.TetherException;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /call} and {@code GET /handlers} of the admin endpoint ({@link AdminServer} describes them): a call of
 * a peer's named handler, and the peer's handler list. Each answer's status says how the call ended, so that the
 * CLI can choose its exit code: 200 done, 502 the remote handler failed, 504 no answer by the deadline (the
 * handler may or may not have run), 404 the peer has no such handler, 400 a bad request, 413 too large, 503 the
 * node could not take the call. Thread-safe (the node is).
 */
final class CallRoutes {
    /** Added to a call's deadline while waiting for its future: the node fails it at the deadline itself. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    /** An answer: its status, content type and body. */
    record Answer(int status, String contentType, byte[] body) {
        static Answer text(int status, String text) {
            return new Answer(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The query parameters of a call. */
    record Params(
            NodeId to,
            String handler,
            String kind,
            Map<String, String> headers,
            Duration timeout,
            boolean waitForHandler,
            boolean json) {
        static Params of(Map<String, List<String>> q) throws HttpError {
            QueryParameters.allowOnly(q, "/call", "to", "handler", "kind", "timeoutMs", "header", "waitForHandler");
            String kind = AdminServer.first(q, "kind", "request");
            if (!List.of("sync", "request").contains(kind)) {
                throw new HttpError(400, "kind must be sync or request, was '" + kind + "'");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h : q.getOrDefault("header", List.of())) {
                int sep = h.indexOf(':');
                if (sep <= 0) throw new HttpError(400, "header must be NAME:VALUE, was '" + h + "'");
                headers.put(h.substring(0, sep), h.substring(sep + 1));
            }
            try {
                return new Params(
                        peer(q),
                        HandlerNames.requireApplicationName(required(q, "handler")),
                        kind,
                        headers,
                        Duration.ofMillis(SendHandler.timeoutMs(AdminServer.first(q, "timeoutMs", "30000"))),
                        "1".equals(AdminServer.first(q, "waitForHandler", "0")),
                        "json".equals(AdminServer.first(q, "format", "text")));
            } catch (TetherException | IllegalArgumentException e) {
                throw new HttpError(400, e.getMessage());
            }
        }
    }

    private final TetherNode node;

    CallRoutes(TetherNode node) {
        this.node = node;
    }

    /** Makes the call {@code p} with {@code payload} and waits for its end. */
    Answer call(Params p, byte[] payload) {
        CompletableFuture<?> f;
        try {
            Call c = node.call(p.to(), p.handler()).timeout(p.timeout());
            for (Map.Entry<String, String> h : p.headers().entrySet()) c = c.header(h.getKey(), h.getValue());
            if (p.waitForHandler()) c = c.waitForHandler();
            f = p.kind().equals("sync") ? c.sync(payload) : c.request(payload);
        } catch (UnknownPeerException | IllegalArgumentException e) {
            return error(400, p.json(), e.getMessage(), null);
        } catch (MessageTooLargeException e) {
            return error(413, p.json(), e.getMessage(), null);
        } catch (QueueFullException e) {
            return error(503, p.json(), e.getMessage(), null);
        }
        Object result;
        try {
            result = f.get(p.timeout().plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return failed(p, e.getCause());
        } catch (TimeoutException e) {
            return error(
                    504,
                    p.json(),
                    "no answer from node " + node.id() + " within "
                            + p.timeout().plus(GRACE),
                    null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, p.json(), "interrupted while waiting for the answer", null);
        }
        return succeeded(p, result);
    }

    private static Answer succeeded(Params p, Object result) {
        if (!(result instanceof Reply r)) { // a sync call
            return p.json()
                    ? json(
                            200,
                            Json.object()
                                    .put("ok", true)
                                    .put("peer", p.to().toString())
                                    .put("handler", p.handler()))
                    : Answer.text(200, "ok");
        }
        if (!p.json()) return new Answer(200, "application/octet-stream", r.payloadBytes());
        Json j = Json.object()
                .put("from", r.from().toString())
                .put("handler", p.handler())
                .put("requestId", r.requestId().toString())
                .put("headers", r.headers());
        return json(200, Payloads.addTo(j, r.payloadBytes()));
    }

    private static Answer failed(Params p, Throwable t) {
        if (t instanceof RemoteHandlerException r) {
            return error(
                    502,
                    p.json(),
                    r.getMessage(),
                    j -> j.put("remoteType", r.remoteType()).put("remoteMessage", r.remoteMessage()));
        }
        if (t instanceof NoSuchHandlerException) {
            // the Java API's hint, in the terms of this endpoint and of the CLI
            String why = t.getMessage()
                    .replace("Call.waitForHandler()", "waitForHandler=1 (tether call/request --wait-for-handler)");
            return error(404, p.json(), why, null);
        }
        if (t instanceof DeadlineExceededException) {
            return error(504, p.json(), t.getMessage() + "; it may or may not have run", null);
        }
        if (t instanceof NodeClosedException || t instanceof StoreException || t instanceof QueueFullException) {
            return error(503, p.json(), t.getMessage(), null);
        }
        return error(502, p.json(), String.valueOf(t), null);
    }

    /** {@code GET /handlers?peer=ID}: the peer's handlers, asked of the peer itself ({@code _list_handlers}). */
    Answer handlers(Map<String, List<String>> q) throws HttpError {
        boolean json = "json".equals(AdminServer.first(q, "format", "text"));
        NodeId peer;
        Duration timeout;
        try {
            peer = peer(q);
            timeout = Duration.ofMillis(SendHandler.timeoutMs(AdminServer.first(q, "timeoutMs", "10000")));
        } catch (TetherException | IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
        List<String> names;
        try {
            names = node.listHandlers(peer, timeout).get(timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (UnknownPeerException e) {
            return error(400, json, e.getMessage(), null);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof DeadlineExceededException) {
                return error(504, json, "node " + peer + " did not answer within " + timeout, null);
            }
            return error(t instanceof NodeClosedException ? 503 : 502, json, t.getMessage(), null);
        } catch (TimeoutException e) {
            return error(504, json, "node " + peer + " did not answer within " + timeout, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, json, "interrupted while waiting for the answer", null);
        }
        if (json) {
            return json(
                    200,
                    Json.object()
                            .put("node", node.id().toString())
                            .put("peer", peer.toString())
                            .put("handlers", names));
        }
        StringBuilder b = new StringBuilder();
        for (String n : names) b.append(n).append('\n');
        return new Answer(200, "text/plain; charset=utf-8", b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static NodeId peer(Map<String, List<String>> q) throws HttpError {
        return NodeId.of(required(q, q.containsKey("peer") ? "peer" : "to"));
    }

    private static String required(Map<String, List<String>> q, String name) throws HttpError {
        String v = AdminServer.first(q, name, null);
        if (v == null) throw new HttpError(400, "query parameter '" + name + "' is required");
        return v;
    }

    private static Answer error(int status, boolean json, String message, java.util.function.UnaryOperator<Json> more) {
        if (!json) return Answer.text(status, message);
        Json j = Json.object().put("error", message);
        return json(status, more == null ? j : more.apply(j));
    }

    private static Answer json(int status, Json j) {
        return new Answer(status, "application/json", (j + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
