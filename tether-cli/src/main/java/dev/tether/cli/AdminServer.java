package dev.tether.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tether.Lanes;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.TetherException;
import dev.tether.TetherNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The node daemon's admin endpoint: plain HTTP on a loopback address, for {@code tether send} and {@code
 * tether stats}. It refuses non-loopback addresses because it has no authentication of its own: whoever can
 * reach it can send as this node.
 *
 * <ul>
 *   <li>{@code POST /send?to=ID[&lane=L][&wait=accepted|processed|none][&timeoutMs=N][&ttlMs=N]
 *       [&header=K:V]...[&format=json]} with the payload as body: 200 and one line per message, 400 for bad
 *       input, 503 when the node is full or closing, 504 when the wait timed out (the message stays queued).
 *   <li>{@code GET /stats[?format=json]}, {@code GET /health}.
 * </ul>
 *
 * <p>Requests run on a small pool; waiting for {@code processed} parks no thread (the response is written
 * when the future completes).
 */
final class AdminServer implements AutoCloseable {
    private static final int MAX_BODY = 64 << 20;

    private final HttpServer http;
    private final ExecutorService pool;
    private final TetherNode node;

    private AdminServer(HttpServer http, ExecutorService pool, TetherNode node) {
        this.http = http;
        this.pool = pool;
        this.node = node;
    }

    static AdminServer start(InetSocketAddress requested, TetherNode node) throws IOException {
        InetAddress host = InetAddress.getByName(requested.getHostString());
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException("--admin must be a loopback address (127.0.0.1 or ::1), was "
                    + HostPort.format(requested) + ": the admin endpoint has no authentication");
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(host, requested.getPort()), 64);
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "tether-admin");
            t.setDaemon(true);
            return t;
        });
        AdminServer server = new AdminServer(http, pool, node);
        http.setExecutor(pool);
        http.createContext("/send", server::send);
        http.createContext("/stats", server::stats);
        http.createContext("/health", ex -> reply(ex, 200, "ok\n"));
        http.start();
        return server;
    }

    InetSocketAddress address() {
        return http.getAddress();
    }

    private void send(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            reply(ex, 405, "use POST\n");
            return;
        }
        Map<String, List<String>> q = query(ex);
        boolean json = "json".equals(first(q, "format", "text"));
        SendReceipt receipt;
        String wait;
        Duration timeout;
        try {
            byte[] body = readBody(ex.getRequestBody());
            String to = first(q, "to", null);
            if (to == null) throw new IllegalArgumentException("query parameter 'to' is required");
            OutboundMessage.Builder m = OutboundMessage.to(NodeId.of(to))
                    .lane(first(q, "lane", Lanes.DEFAULT))
                    .payload(body);
            for (String h : q.getOrDefault("header", List.of())) {
                int colon = h.indexOf(':');
                if (colon <= 0) throw new IllegalArgumentException("header must be NAME:VALUE, was '" + h + "'");
                m.header(h.substring(0, colon), h.substring(colon + 1));
            }
            String ttl = first(q, "ttlMs", null);
            if (ttl != null) m.ttl(Duration.ofMillis(positive("ttlMs", ttl)));
            wait = first(q, "wait", "accepted");
            if (!List.of("none", "accepted", "processed").contains(wait)) {
                throw new IllegalArgumentException("wait must be none, accepted or processed, was '" + wait + "'");
            }
            timeout = Duration.ofMillis(positive("timeoutMs", first(q, "timeoutMs", "30000")));
            receipt = node.send(m.build());
        } catch (QueueFullException | NodeClosedException e) {
            reply(ex, 503, error(json, e));
            return;
        } catch (TetherException | IllegalArgumentException e) {
            reply(ex, 400, error(json, e));
            return;
        }
        respondWhenDone(ex, receipt, wait, timeout, json);
    }

    private void respondWhenDone(HttpExchange ex, SendReceipt receipt, String wait, Duration timeout, boolean json) {
        if (wait.equals("none")) {
            reply(ex, 202, json ? Json.object().put("status", "queued") + "\n" : "queued\n");
            return;
        }
        CompletableFuture<MessageId> accepted = receipt.accepted().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<String> outcome = wait.equals("accepted")
                ? accepted.thenApply(id -> "ACCEPTED")
                : accepted.thenCompose(id -> receipt.processed()
                        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .thenApply(Enum::name));
        outcome.whenCompleteAsync(
                (result, failure) -> {
                    if (failure == null) {
                        MessageId id = accepted.join();
                        String line = json
                                ? Json.object()
                                        .put("to", id.to().value())
                                        .put("lane", id.lane())
                                        .put("seq", id.seq())
                                        .put("outcome", result)
                                        .toString()
                                : id + " " + result.toLowerCase(java.util.Locale.ROOT);
                        reply(ex, 200, line + "\n");
                    } else {
                        Throwable cause = failure instanceof java.util.concurrent.CompletionException
                                ? failure.getCause()
                                : failure;
                        boolean timedOut = cause instanceof java.util.concurrent.TimeoutException;
                        String why = timedOut
                                ? "timed out after " + timeout.toMillis() + " ms waiting for " + wait
                                        + "; the message stays queued and will be delivered"
                                : String.valueOf(cause.getMessage());
                        reply(ex, timedOut ? 504 : 500, json ? Json.object().put("error", why) + "\n" : why + "\n");
                    }
                },
                pool);
    }

    private void stats(HttpExchange ex) {
        boolean json = "json".equals(first(query(ex), "format", "text"));
        reply(ex, 200, json ? StatsFormat.json(node.stats()) + "\n" : StatsFormat.text(node.stats()));
    }

    private static String error(boolean json, Exception e) {
        return json ? Json.object().put("error", e.getMessage()) + "\n" : e.getMessage() + "\n";
    }

    private static long positive(String name, String v) {
        try {
            long n = Long.parseLong(v);
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // falls through to the error below, which names the parameter
        }
        throw new IllegalArgumentException(name + " must be a positive number of milliseconds, was '" + v + "'");
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) throw new IllegalArgumentException("body larger than " + MAX_BODY + " bytes");
        return body;
    }

    private static Map<String, List<String>> query(HttpExchange ex) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null) return q;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return q;
    }

    private static String first(Map<String, List<String>> q, String key, String fallback) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? fallback : v.get(0);
    }

    private static void reply(HttpExchange ex, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = ex.getResponseBody()) {
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(status, bytes.length);
            out.write(bytes);
        } catch (IOException e) {
            // The client went away; the send itself is unaffected (it is queued or done).
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
    }
}
