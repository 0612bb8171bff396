package dev.tether.cli;

import dev.tether.ChannelStats;
import dev.tether.NodeClosedException;
import dev.tether.NodeStats;
import dev.tether.StoreException;
import dev.tether.TetherException;
import dev.tether.TetherNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The requests of the admin endpoint ({@link AdminServer} describes them), one connection at a time per call to
 * {@link #serve}. Thread-safe: each connection has its own thread.
 */
final class AdminRoutes {
    private static final int FLUSH_BYTES = 16 << 10;

    private final TetherNode node;
    private final int maxMessageBytes;
    private final AdminServer.Limits limits;
    private final ExecutorService threads;
    private final SendHandler sends;
    private final CallRoutes calls;
    private final NodeControl control;
    private final AdminAuth auth;
    private final ManagementRoutes management;
    private final RuleRoutes rules;
    private final Dashboard dashboard;

    AdminRoutes(
            TetherNode node,
            TetherNode managed,
            int maxMessageBytes,
            AdminServer.Limits limits,
            ExecutorService threads,
            NodeControl control,
            AdminAuth auth) {
        this.node = node;
        this.auth = auth;
        this.management = new ManagementRoutes(managed);
        this.rules = new RuleRoutes(managed);
        this.dashboard = new Dashboard(management.management(), managed);
        this.control = control;
        this.maxMessageBytes = maxMessageBytes;
        this.limits = limits;
        this.threads = threads;
        this.sends = new SendHandler(node);
        this.calls = new CallRoutes(node);
    }

    /**
     * Reads one request from {@code c} and answers it; the caller closes the connection. Every request gets an
     * answer: its own mistakes 4xx, the node's failures 503 (500 for its store), and a failure that is nobody's
     * mistake 500, which is also thrown on for the caller to log; nothing of a client's mistake is logged. The
     * request is authorised ({@link AdminAuth}) before its query is looked at, so that a client without the right
     * learns nothing from it.
     */
    void serve(TimedSocket c) throws IOException {
        c.readWithin(limits.requestTimeout());
        boolean json = false;
        try {
            HttpHead head = HttpHead.read(c.in(), HttpHead.MAX_BYTES);
            if (head == null) return;
            String[] start = head.startLine().split(" ");
            if (start.length != 3 || !start[2].startsWith("HTTP/1.")) {
                throw new HttpError(400, "not an HTTP/1.1 request: '" + head.startLine() + "'");
            }
            int q = start[1].indexOf('?');
            String path = q < 0 ? start[1] : start[1].substring(0, q);
            String rawQuery = q < 0 ? null : start[1].substring(q + 1);
            Map<String, List<String>> query;
            try {
                query = AdminServer.query(rawQuery);
            } catch (HttpError badEncoding) {
                json = path.startsWith("/mgmt/") || rawQuery.contains("format=json");
                auth.check(c.socket().getInetAddress(), head, Map.of()); // a token in the query cannot be read
                throw badEncoding;
            }
            json = path.startsWith("/mgmt/") || "json".equals(AdminServer.first(query, "format", "text"));
            auth.check(c.socket().getInetAddress(), head, query);
            route(c, start[0], path, query, head, json);
        } catch (SocketTimeoutException e) {
            String why = "the request did not arrive within "
                    + limits.requestTimeout().toMillis() + " ms";
            fail(c, 408, error(json, why + "; nothing was sent"));
        } catch (HttpError e) {
            fail(c, e.status(), error(json, e.getMessage()));
        } catch (NodeClosedException e) {
            fail(c, 503, error(json, "the node is shutting down: " + e.getMessage()));
        } catch (StoreException e) {
            fail(c, 500, error(json, "the node's store failed: " + e.getMessage()));
        } catch (TetherException e) {
            fail(c, 503, error(json, "the node could not answer: " + e.getMessage()));
        } catch (RuntimeException e) {
            try {
                fail(c, 500, error(json, "the request failed: " + e));
            } catch (IOException | RuntimeException gone) {
                e.addSuppressed(gone);
            }
            throw e;
        }
    }

    /** Answers a request that failed, unless its answer was begun: the connection is then only closed. */
    private static void fail(TimedSocket c, int status, String body) throws IOException {
        if (c.answerBegun()) c.close();
        else answer(c, status, body);
    }

    private void route(
            TimedSocket c, String method, String path, Map<String, List<String>> query, HttpHead head, boolean json)
            throws IOException {
        switch (path) {
            case "/send" -> {
                requireMethod(method, "POST");
                SendHandler.Params p = SendHandler.Params.of(query);
                if ("lines".equals(AdminServer.first(query, "stream", null))) streamLines(c, head, p);
                else single(c, head, p);
            }
            case "/stats" -> {
                requireMethod(method, "GET");
                NodeStats s = node.stats();
                List<ChannelStats> channels = node.channelStats();
                answer(c, 200, json ? StatsFormat.json(s, channels) + "\n" : StatsFormat.text(s, channels));
            }
            case "/peers" -> {
                requireMethod(method, "GET");
                answer(
                        c,
                        200,
                        json
                                ? PeersFormat.json(node.id(), node.peers()) + "\n"
                                : PeersFormat.text(node.id(), node.peers(), Instant.now()));
            }
            case "/call" -> {
                requireMethod(method, "POST");
                CallRoutes.Params p = CallRoutes.Params.of(query);
                byte[] body = readBody(c, head);
                write(c, calls.call(p, body));
                c.out().flush();
            }
            case "/handlers" -> {
                requireMethod(method, "GET");
                write(c, calls.handlers(query));
                AdminServer.drainAndClose(c);
            }
            case "/health" -> answer(c, 200, "ok\n");
            case "/health/live" -> {
                requireMethod(method, "GET");
                node.stats(); // throws once the node shuts down: 503
                answer(c, 200, json ? Json.object().put("live", true) + "\n" : "live\n");
            }
            case "/health/ready" -> {
                requireMethod(method, "GET");
                ready(c, json);
            }
            case "/reload" -> {
                requireMethod(method, "POST");
                QueryParameters.allowOnly(query, path);
                reload(c, json);
            }
            default -> {
                if (RuleRoutes.handles(path)) rules(c, method, path, query, head);
                else management(c, method, path, query);
            }
        }
    }

    /** The routing rules ({@link RuleRoutes}); a POST's body, if it has one, is the rule's text. */
    private void rules(TimedSocket c, String method, String path, Map<String, List<String>> query, HttpHead head)
            throws IOException {
        boolean body = method.equals("POST") && (head.chunked() || head.contentLength() > 0);
        String text = body ? new String(readBody(c, head), StandardCharsets.UTF_8) : "";
        write(c, rules.handle(method, path, query, text));
        AdminServer.drainAndClose(c);
    }

    /** The dashboard and the management model ({@link Dashboard}, {@link ManagementRoutes}). */
    private void management(TimedSocket c, String method, String path, Map<String, List<String>> query)
            throws IOException {
        switch (path) {
            case "/", "/dashboard" -> {
                requireMethod(method, "GET");
                write(c, dashboard.page());
                AdminServer.drainAndClose(c);
            }
            case "/mgmt/live" -> {
                requireMethod(method, "GET");
                dashboard.live(c, interval(AdminServer.first(query, "intervalMs", "1000")));
            }
            default -> {
                if (!path.startsWith("/mgmt/")) throw notFound(path);
                write(c, management.handle(method, path, query));
                AdminServer.drainAndClose(c);
            }
        }
    }

    private static long interval(String v) throws HttpError {
        String why = "intervalMs must be 100..60000, was '" + v + "'";
        long ms;
        try {
            ms = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new HttpError(400, why);
        }
        if (ms < 100 || ms > 60_000) throw new HttpError(400, why);
        return ms;
    }

    private static HttpError notFound(String path) {
        return new HttpError(
                404,
                "no such endpoint: " + path + " (try /send, /call, /handlers, /stats, /peers, /health,"
                        + " /health/live, /health/ready, /reload, /mgmt/topology, /dashboard)");
    }

    private void ready(TimedSocket c, boolean json) throws IOException {
        List<String> why = control == null ? List.of() : control.notReady();
        if (control == null) node.stats(); // throws once the node shuts down: 503
        int status = why.isEmpty() ? 200 : 503;
        if (json) answer(c, status, Json.object().put("ready", why.isEmpty()).put("reasons", why) + "\n");
        else answer(c, status, why.isEmpty() ? "ready\n" : "not ready: " + String.join("; ", why) + "\n");
    }

    private void reload(TimedSocket c, boolean json) throws IOException {
        if (control == null) throw new HttpError(409, "this node has nothing to reload");
        try {
            String done = control.reload();
            answer(c, 200, json ? Json.object().put("reloaded", done) + "\n" : done + "\n");
        } catch (NodeControl.PartlyApplied e) {
            throw new HttpError(500, e.getMessage());
        } catch (IllegalStateException e) {
            throw new HttpError(409, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "reload refused, nothing changed: " + e.getMessage());
        }
    }

    /** One message: the whole body is its payload. */
    private void single(TimedSocket c, HttpHead head, SendHandler.Params p) throws IOException {
        byte[] body = readBody(c, head);
        SendHandler.Pending m = sends.send(1, body, p);
        SendResult r = SendHandler.await(m, p);
        String text = p.json() ? r.toJson() : r.kind() == SendResult.Kind.OK ? r.toText() : r.reason();
        answerConsumed(c, SendHandler.status(r, m), text + "\n");
    }

    /** The whole body, at most the node's maxMessageBytes (413 from its Content-Length, before it is read). */
    private byte[] readBody(TimedSocket c, HttpHead head) throws IOException {
        long length = head.contentLength();
        if (!head.chunked() && length < 0) throw new HttpError(411, "a Content-Length or a chunked body is required");
        if (length > maxMessageBytes) throw new HttpError(413, tooLarge("body of " + length + " bytes"));
        continueIfExpected(c, head);
        return readAtMost(HttpBody.of(head, c.in()), maxMessageBytes);
    }

    /**
     * A stream of messages, one per line of the body, answered line by line as the results come. The reading
     * thread hands each line to the node; a second thread waits for the results in order and writes them.
     */
    private void streamLines(TimedSocket c, HttpHead head, SendHandler.Params p) throws IOException {
        if (!head.chunked() && head.contentLength() < 0) {
            throw new HttpError(411, "a Content-Length or a chunked body is required");
        }
        continueIfExpected(c, head);
        InputStream body = HttpBody.of(head, c.in());
        c.readIdle(limits.idleTimeout());
        c.out().write(head(200, p.json() ? "application/x-ndjson" : "text/plain; charset=utf-8", -1));
        c.out().flush();
        BlockingQueue<SendHandler.Pending> results = new ArrayBlockingQueue<>(AdminServer.STREAM_WINDOW);
        String[] endNote = {null};
        Future<?> writer = threads.submit(() -> writeResults(c, results, p, endNote));
        long index = 0;
        try {
            LineReader lines = new LineReader(body, maxMessageBytes);
            for (LineReader.Line l; (l = lines.next()) != null; ) {
                index++;
                put(
                        results,
                        writer,
                        l.bytes() == null
                                ? SendHandler.refused(index, tooLarge("line of " + l.length() + " bytes"))
                                : sends.send(index, l.bytes(), p));
            }
        } catch (SocketTimeoutException e) {
            endNote[0] = "the request sent nothing for " + limits.idleTimeout().toMillis() + " ms and was ended"
                    + " after message " + index;
        } catch (IOException e) {
            endNote[0] = "the request body ended early after message " + index + " (" + e.getMessage() + ")";
        }
        put(results, writer, END);
        try {
            writer.get();
        } catch (ExecutionException e) {
            throw new IOException("writing the results failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final SendHandler.Pending END = new SendHandler.Pending(-1, null, null, 0);

    private static void put(BlockingQueue<SendHandler.Pending> q, Future<?> writer, SendHandler.Pending m)
            throws IOException {
        try {
            while (!q.offer(m, 100, TimeUnit.MILLISECONDS)) {
                if (writer.isDone()) throw new IOException("the client stopped reading the results");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private Void writeResults(
            TimedSocket c, BlockingQueue<SendHandler.Pending> q, SendHandler.Params p, String[] endNote)
            throws IOException, InterruptedException {
        OutputStream raw = c.out();
        HttpBody.ChunkedOut out = new HttpBody.ChunkedOut(raw);
        ByteArrayOutputStream buf = new ByteArrayOutputStream(FLUSH_BYTES * 2);
        long count = 0;
        try {
            for (SendHandler.Pending m = q.take(); m != END; m = q.take()) {
                SendResult r = SendHandler.await(m, p);
                count++;
                buf.write((p.json() ? r.toJson() : r.toLine()).getBytes(StandardCharsets.UTF_8));
                buf.write('\n');
                if (q.isEmpty() || buf.size() >= FLUSH_BYTES) {
                    out.write(buf.toByteArray());
                    raw.flush();
                    buf.reset();
                }
            }
            String note = endNote[0];
            String end = p.json()
                    ? (note == null
                                    ? Json.object().put("end", count)
                                    : Json.object().put("end", count).put("error", note))
                            .toString()
                    : "end " + count + (note == null ? "" : " " + note);
            buf.write((end + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(buf.toByteArray());
            out.finish();
            return null;
        } catch (IOException e) {
            c.close(); // the reading thread then fails at once instead of waiting for more lines
            throw e;
        }
    }

    private String tooLarge(String what) {
        return what + " exceeds this node's maxMessageBytes (" + maxMessageBytes + ")";
    }

    private static void requireMethod(String method, String expected) throws HttpError {
        if (!method.equals(expected)) throw new HttpError(405, "use " + expected + ", not " + method);
    }

    private static void continueIfExpected(TimedSocket c, HttpHead head) throws IOException {
        if ("100-continue".equalsIgnoreCase(head.header("expect"))) {
            c.out().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out().flush();
            c.interimAnswerSent();
        }
    }

    /** Reads {@code in} to its end, refusing more than {@code max} bytes (413) without buffering them. */
    private byte[] readAtMost(InputStream in, int max) throws IOException {
        byte[] body = in.readNBytes(max);
        if (in.read() >= 0) throw new HttpError(413, tooLarge("body of more than " + max + " bytes"));
        return body;
    }

    private static String error(boolean json, String message) {
        return json ? Json.object().put("error", message) + "\n" : message + "\n";
    }

    /** Answers a request whose body may not have been read, then drains a little of it and closes. */
    private static void answer(TimedSocket c, int status, String body) throws IOException {
        write(c, status, body);
        AdminServer.drainAndClose(c);
    }

    /** Answers a request whose body was read. */
    private static void answerConsumed(TimedSocket c, int status, String body) throws IOException {
        write(c, status, body);
        c.out().flush();
    }

    private static void write(TimedSocket c, CallRoutes.Answer a) throws IOException {
        c.out().write(head(a.status(), a.contentType(), a.body().length));
        c.out().write(a.body());
    }

    private static void write(TimedSocket c, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        c.out().write(head(status, "text/plain; charset=utf-8", bytes.length));
        c.out().write(bytes);
    }

    /**
     * A response head; {@code length} -1 means a chunked body. Every response closes the connection, none may be
     * taken for another type than it says, and an HTML page may not be framed ({@link PageRequests#PAGE_HEADERS}).
     */
    static byte[] head(int status, String contentType, long length) {
        String h = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + contentType + "\r\n"
                + "X-Content-Type-Options: nosniff\r\n"
                + (contentType.startsWith("text/html") ? PageRequests.PAGE_HEADERS : "")
                + (length < 0 ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n")
                + "Connection: close\r\n\r\n";
        return h.getBytes(StandardCharsets.US_ASCII);
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }
}
