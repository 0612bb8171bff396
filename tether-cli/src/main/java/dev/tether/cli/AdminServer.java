package dev.tether.cli;

import dev.tether.TetherNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node daemon's admin endpoint: HTTP/1.1, for {@code tether send}, {@code tether call}, {@code tether request},
 * {@code tether handlers}, {@code tether stats}, {@code tether peers}, the management commands ({@link
 * ManagementRoutes}) and the dashboard ({@link Dashboard}). It binds a non-loopback address only with an admin token
 * ({@link AdminAuth}), which every request must then present, from loopback too: whoever can use it can send as this
 * node. A request that changes something refuses query parameters it does not know ({@link QueryParameters}).
 *
 * <ul>
 *   <li>{@code POST /send?to=ID[&lane=L][&wait=accepted|processed|none][&timeoutMs=N][&ttlMs=N]
 *       [&header=K:V]...[&format=json]} with one message as the body: 200 (202 for {@code wait=none}) and one
 *       line, 400 for bad input, 413 for a body larger than the node's {@code maxMessageBytes} (refused from its
 *       Content-Length, before it is read), 503 when the node is full or closing, 504 when the wait timed out.
 *   <li>The same with {@code &stream=lines} and a chunked body: each line of the body is one message, handed to
 *       the node as it arrives; the answer (200, chunked) is one {@link SendResult} line per message, in order,
 *       written as the results come, then {@code end N}. Memory per request is bounded whatever the body's
 *       length: at most {@value #STREAM_WINDOW} messages wait for their results.
 *   <li>{@code POST /call?to=ID&handler=NAME[&kind=request|sync][&timeoutMs=N][&header=K:V]...
 *       [&waitForHandler=1][&format=json]} with the payload as the body (bounded like a send's): a call of the
 *       peer's named handler, answered when it ends: 200 with the reply's payload ({@code application/octet-stream};
 *       {@code ok} for a sync call; with {@code format=json} an object with payload, headers and ids), 502 the remote
 *       handler failed (its type and message), 504 no answer by the deadline, 404 no such handler on the peer, 400,
 *       413 and 503 as for a send ({@link CallRoutes}).
 *   <li>{@code GET /handlers?peer=ID[&timeoutMs=N][&format=json]}: the peer's handlers, one per line, asked of the
 *       peer ({@code TetherNode.listHandlers}); 504 if it did not answer in time.
 *   <li>{@code GET /stats[?format=json]}, {@code GET /peers[?format=json]} (what {@code TetherNode.peers()}
 *       reports), {@code GET /health}; 503 once the node is shutting down.
 *   <li>{@code GET /health/live} (200 while the node runs) and {@code GET /health/ready[?format=json]} (200 when
 *       ready, else 503 with the reasons, {@link NodeControl#notReady}); 503 once the node is shutting down.
 *   <li>{@code POST /reload}: re-reads the {@code --config} file's peers and log level ({@link NodeControl#reload});
 *       200 with what changed, 400 if the file is invalid (nothing changed), 500 if the node failed to take a
 *       peer change after others were made (the answer says which), 409 without {@code --config}.
 * </ul>
 *
 * <p><b>Limits.</b> At most {@link Limits#maxConnections} connections are served at once, each on its own
 * thread, so a slow request never delays another; one more gets 503 at once. A request head (and a
 * single-message body) must arrive within {@link Limits#requestTimeout} (408 otherwise), a streamed body may pause
 * for at most {@link Limits#idleTimeout} between reads, and a connection whose client stops reading the answer for
 * {@link Limits#writeTimeout} is closed. One request per connection ({@code Connection: close}).
 *
 * <p>Threading: an acceptor thread, one thread per connection (two while a stream is answered), a watchdog.
 * {@link #close} stops all of them.
 */
final class AdminServer implements AutoCloseable {
    /** Messages of one stream request handed to the node and waiting for their results to be written. */
    static final int STREAM_WINDOW = 4096;

    /** How a request that announces a too-large body is drained before the connection closes (bytes, ms). */
    private static final int DRAIN_BYTES = 256 << 10;

    private static final Duration DRAIN_TIME = Duration.ofMillis(500);

    /**
     * Bounds on the endpoint's work.
     *
     * @param maxConnections connections served at once
     * @param requestTimeout time for a request head, and for the body of a single-message send
     * @param idleTimeout longest pause between reads of a streamed body
     * @param writeTimeout longest stall of a write of the answer
     */
    record Limits(int maxConnections, Duration requestTimeout, Duration idleTimeout, Duration writeTimeout) {
        static final Limits DEFAULT =
                new Limits(32, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    private final ServerSocket server;
    private final Limits limits;
    private final AdminAuth auth;
    private final Semaphore permits;
    private final Set<TimedSocket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;
    private final ScheduledExecutorService watchdog;
    private volatile AdminRoutes routes;
    private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());

    private volatile boolean closed;

    private AdminServer(ServerSocket server, Limits limits, AdminAuth auth) {
        this.server = server;
        this.auth = auth;
        this.limits = limits;
        this.permits = new Semaphore(limits.maxConnections());
        this.threads = Executors.newCachedThreadPool(daemon("tether-admin-"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("tether-admin-watchdog-"));
    }

    /**
     * Binds {@code requested}, which must be a loopback address; nothing is served before {@link #start}.
     *
     * @throws IllegalArgumentException if the address is not a loopback one
     * @throws BindException naming the address if it is in use or cannot be bound
     */
    static AdminServer bind(InetSocketAddress requested, Limits limits) throws IOException {
        return bind(requested, limits, AdminAuth.loopbackOnly());
    }

    /**
     * Binds {@code requested}; an address other than loopback only if {@code auth} has a token, which every request
     * from elsewhere must then present ({@link AdminAuth}).
     *
     * @throws IllegalArgumentException if the address is not a loopback one and there is no token
     * @throws BindException naming the address if it is in use or cannot be bound
     */
    /** An endpoint on {@code bound}, a server socket bound already; for tests, whose socket misbehaves. */
    static AdminServer serving(ServerSocket bound, Limits limits) {
        return new AdminServer(bound, limits, AdminAuth.loopbackOnly());
    }

    static AdminServer bind(InetSocketAddress requested, Limits limits, AdminAuth auth) throws IOException {
        InetAddress host = InetAddress.getByName(requested.getHostString());
        if (!host.isLoopbackAddress() && !auth.hasToken()) {
            throw new IllegalArgumentException("--admin must be a loopback address (127.0.0.1 or ::1), was "
                    + HostPort.format(requested) + ": without --admin-token-file the admin endpoint has no"
                    + " authentication");
        }
        InetSocketAddress address = new InetSocketAddress(host, requested.getPort());
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(address, 64);
        } catch (IOException e) {
            s.close();
            String why = String.valueOf(e.getMessage())
                            .toLowerCase(java.util.Locale.ROOT)
                            .contains("in use")
                    ? "address already in use (another process listens there)"
                    : String.valueOf(e.getMessage());
            BindException b = new BindException("--admin " + HostPort.format(requested) + ": " + why);
            b.initCause(e);
            throw b;
        }
        return new AdminServer(s, limits, auth);
    }

    /** Binds and starts at once, with the default limits; for tests. */
    static AdminServer start(InetSocketAddress requested, TetherNode node, int maxMessageBytes) throws IOException {
        AdminServer s = bind(requested, Limits.DEFAULT);
        s.start(node, maxMessageBytes);
        return s;
    }

    /** Starts serving {@code node}, accepting bodies of up to {@code maxMessageBytes} per message. */
    void start(TetherNode node, int maxMessageBytes) {
        start(node, maxMessageBytes, null);
    }

    /** As {@link #start(TetherNode, int)}; {@code control} (or null: none) serves readiness and reloads. */
    void start(TetherNode node, int maxMessageBytes, NodeControl control) {
        start(node, node, maxMessageBytes, control);
    }

    /**
     * As {@link #start(TetherNode, int, NodeControl)}, with the node routes served by {@code served} and the
     * management ones by {@code managed}, a node started by {@code Tether.start}; the same node but for tests, whose
     * {@code served} node fails on purpose.
     */
    void start(TetherNode served, TetherNode managed, int maxMessageBytes, NodeControl control) {
        routes = new AdminRoutes(served, managed, maxMessageBytes, limits, threads, control, auth);
        long tick = Math.max(10, Math.min(200, limits.writeTimeout().toMillis() / 4));
        watchdog.scheduleWithFixedDelay(this::closeStalledWrites, tick, tick, TimeUnit.MILLISECONDS);
        Thread acceptor = new Thread(this::acceptLoop, "tether-admin-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        AcceptBackoff backoff =
                new AcceptBackoff(why -> LOG.log(System.Logger.Level.WARNING, "admin endpoint: " + why));
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
                backoff.succeeded();
            } catch (IOException e) {
                if (closed || !backoff.failed(e)) return;
                continue; // a connection that failed while being accepted, or no descriptor left: try again
            }
            if (!permits.tryAcquire()) {
                refuseBusy(s);
                continue;
            }
            try {
                threads.execute(() -> serve(s));
            } catch (RuntimeException e) { // the pool is shut down: the server is closing
                permits.release();
                closeQuietly(s);
            }
        }
    }

    private void serve(Socket s) {
        TimedSocket c = null;
        try {
            c = new TimedSocket(s, limits.writeTimeout());
            open.add(c);
            s.setTcpNoDelay(true);
            routes.serve(c);
        } catch (IOException e) {
            // The client went away or timed out; AdminRoutes answered whatever could still be answered.
        } catch (RuntimeException e) {
            // A request that failed beyond its route's answers and the node's failures, both answered without a
            // log line: this endpoint stopping under it (an interrupted wait), or a bug, answered 500 and reported
            // here; never thrown at the pool thread, which would print it raw.
            if (!closed) LOG.log(System.Logger.Level.WARNING, "admin request failed: " + e, e);
        } finally {
            if (c != null) open.remove(c);
            closeQuietly(s);
            permits.release();
        }
    }

    /** Answers 503 without reading the request, and closes shortly after so the answer is not lost to a reset. */
    private void refuseBusy(Socket s) {
        try {
            String body = "the admin endpoint is busy: " + limits.maxConnections()
                    + " connections are open, the most it serves at once; try again\n";
            OutputStream out = s.getOutputStream();
            out.write(AdminRoutes.head(503, "text/plain; charset=utf-8", body.length()));
            out.write(body.getBytes(StandardCharsets.UTF_8));
            out.flush();
            s.shutdownOutput();
            watchdog.schedule(() -> closeQuietly(s), DRAIN_TIME.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
        }
    }

    /**
     * Stops reading a request whose body will not be used: the answer was written; the connection is half-closed
     * and up to {@link #DRAIN_BYTES} of the body are read (for at most {@link #DRAIN_TIME}), so that the client
     * reads the answer instead of a connection reset.
     */
    static void drainAndClose(TimedSocket c) {
        try {
            c.out().flush();
            c.socket().shutdownOutput();
            c.readWithin(DRAIN_TIME);
            InputStream in = c.in();
            byte[] buf = new byte[8192];
            for (int total = 0, n; total < DRAIN_BYTES && (n = in.read(buf)) > 0; ) total += n;
        } catch (IOException e) {
            // Draining is a courtesy; the answer was already written.
        } finally {
            c.close();
        }
    }

    private void closeStalledWrites() {
        long now = System.nanoTime();
        for (TimedSocket c : open) c.closeIfWriteStalled(now);
    }

    /**
     * The parameters of a request's query, decoded.
     *
     * @throws HttpError 400 naming the part that is not valid URL encoding
     */
    static Map<String, List<String>> query(String rawQuery) throws HttpError {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (rawQuery == null) return q;
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return q;
    }

    private static String decode(String part) throws HttpError {
        try {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            String shown = part.length() > 100 ? part.substring(0, 100) + "..." : part;
            throw new HttpError(
                    400,
                    "the query is not valid URL encoding: '" + shown + "' (a % must be followed by two hex"
                            + " digits; write a literal % as %25)");
        }
    }

    static String first(Map<String, List<String>> q, String key, String fallback) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? fallback : v.get(0);
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Already closed or reset by the peer: nothing left to release.
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // The acceptor ends either way.
        }
        for (TimedSocket c : open) c.close();
        threads.shutdownNow();
        watchdog.shutdownNow();
    }
}
