package dev.tether.metrics.micrometer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves a scrape in the Prometheus text format on {@code GET /metrics}, for example {@code
 * PrometheusMeterRegistry::scrape} of Micrometer's Prometheus registry. Any other path answers 404, any other
 * method 405; request bodies are not read, and every answer closes its connection. A request from this machine's
 * loopback that a web page could have sent (a {@code Host} that is not a loopback name, as through DNS rebinding, a
 * foreign {@code Origin}, or a {@code Sec-Fetch-Site} of {@code cross-site} or {@code same-site}) answers 403 ({@code BrowserRequests}); a request from another address is not checked, so a
 * Prometheus server elsewhere scrapes by any name. A scrape that throws answers 500 with the exception's message and
 * the endpoint keeps serving.
 *
 * <p>Slow clients: each connection has a thread of its own, up to {@value #MAX_CONNECTIONS} at once (a connection
 * beyond them is closed at once); its request head must arrive within {@value #HEAD_SECONDS} s, enforced by the
 * endpoint (not by a JVM-wide property), and the whole exchange must end within {@value #EXCHANGE_SECONDS} s, else
 * the connection is closed. So clients that send half a request and stop delay no scrape unless they hold all
 * {@value #MAX_CONNECTIONS} connections, and then by at most {@value #HEAD_SECONDS} s.
 *
 * <p>Failed accepts (no file descriptor left: EMFILE) do not spin the accept thread: each waits, 10 ms doubling up to
 * 1 s, until an accept succeeds; the first of such a burst is logged as a warning. Closing the endpoint ends the loop
 * at once.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    /** The content type of the Prometheus text exposition format, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Connections served at once; more are closed as they come. */
    public static final int MAX_CONNECTIONS = 32;
    /** Seconds a client has to send its request head. */
    public static final int HEAD_SECONDS = 5;
    /** Seconds an exchange may take in all (a client that does not read the answer is cut off). */
    public static final int EXCHANGE_SECONDS = 30;

    /** The first wait after a failed accept; each further failure doubles it, up to {@link #MAX_BACKOFF_MILLIS}. */
    static final long FIRST_BACKOFF_MILLIS = 10;
    /** The longest wait between failed accepts. */
    static final long MAX_BACKOFF_MILLIS = 1_000;

    private static final System.Logger LOG = System.getLogger(PrometheusEndpoint.class.getName());

    private final ServerSocket socket;
    private final ExecutorService threads;
    private final ScheduledExecutorService deadlines;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Supplier<String> scrape;
    private final long headNanos;
    private final Pause pause;

    /** How a failed accept waits: {@link Thread#sleep}, but in tests. */
    interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    private PrometheusEndpoint(ServerSocket socket, Supplier<String> scrape, Duration headTimeout, Pause pause) {
        this.socket = socket;
        this.pause = pause;
        this.scrape = scrape;
        this.headNanos = headTimeout.toNanos();
        this.threads = Executors.newCachedThreadPool(r -> daemon(r, "tether-metrics-http"));
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tether-metrics-deadlines"));
    }

    /**
     * Listens on {@code address} (port 0: a free one) and serves {@code scrape}'s text on {@code /metrics}.
     *
     * @throws UncheckedIOException naming the address if it cannot be bound (in use, not local)
     */
    public static PrometheusEndpoint start(InetSocketAddress address, Supplier<String> scrape) {
        return start(address, scrape, Duration.ofSeconds(HEAD_SECONDS));
    }

    /** As {@link #start(InetSocketAddress, Supplier)}, with {@code headTimeout} for the request head (for tests). */
    static PrometheusEndpoint start(InetSocketAddress address, Supplier<String> scrape, Duration headTimeout) {
        Objects.requireNonNull(scrape, "scrape");
        ServerSocket socket;
        try {
            socket = new ServerSocket();
            socket.bind(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
        }
        return serve(socket, scrape, headTimeout, Thread::sleep);
    }

    /** Serves on {@code socket}, already bound, pacing failed accepts with {@code pause} (for tests). */
    static PrometheusEndpoint serve(ServerSocket socket, Supplier<String> scrape, Duration headTimeout, Pause pause) {
        PrometheusEndpoint endpoint = new PrometheusEndpoint(socket, scrape, headTimeout, pause);
        daemon(endpoint::accept, "tether-metrics-accept").start();
        return endpoint;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void accept() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!socket.isClosed()) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (socket.isClosed()) return;
                // Out of file descriptors, say: retrying at once would spin a core until one is free again.
                if (backoff == FIRST_BACKOFF_MILLIS) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "metrics endpoint " + address() + ": accept failed: " + e.getMessage() + "; retrying after "
                                    + backoff + " ms, backing off to " + MAX_BACKOFF_MILLIS + " ms (logged once until"
                                    + " an accept succeeds)");
                }
                try {
                    pause.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return; // an interrupt asks this thread to stop
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                continue;
            }
            backoff = FIRST_BACKOFF_MILLIS;
            if (!slots.tryAcquire()) {
                closeQuietly(s); // all connections taken: this client retries, a scrape is not queued behind them
                continue;
            }
            try {
                threads.execute(() -> serve(s));
            } catch (RuntimeException shutDown) {
                slots.release();
                closeQuietly(s);
            }
        }
    }

    private void serve(Socket s) {
        var cutOff = deadlines.schedule(() -> closeQuietly(s), EXCHANGE_SECONDS, TimeUnit.SECONDS);
        try (s) {
            ScrapeRequest r = ScrapeRequest.read(s, System.nanoTime() + headNanos);
            answer(s.getOutputStream(), r, s.getInetAddress());
        } catch (IOException | RuntimeException e) {
            // a client that was too slow, sent garbage or went away: its connection is closed, nothing to answer
        } finally {
            cutOff.cancel(false);
            slots.release();
        }
    }

    private void answer(OutputStream out, ScrapeRequest r, java.net.InetAddress remote) throws IOException {
        String refused = BrowserRequests.refusal(remote, r.host(), r.origin(), r.fetchSite());
        boolean head = r.method().equals("HEAD");
        if (refused != null) {
            respond(out, head, 403, "Forbidden", "", "forbidden: " + refused + "\n");
        } else if (!r.path().equals("/metrics")) {
            respond(out, head, 404, "Not Found", "", "not found: metrics are on /metrics\n");
        } else if (!r.method().equals("GET") && !head) {
            respond(out, false, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", "method not allowed: use GET\n");
        } else {
            String text;
            try {
                text = scrape.get();
            } catch (RuntimeException e) {
                respond(out, head, 500, "Internal Server Error", "", "scrape failed: " + e + "\n");
                return;
            }
            respond(out, head, 200, "OK", "Content-Type: " + CONTENT_TYPE + "\r\n", text);
        }
    }

    private static void respond(OutputStream out, boolean head, int status, String reason, String headers, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String type = status == 200 ? "" : "Content-Type: text/plain; charset=utf-8\r\n";
        String h = "HTTP/1.1 " + status + " " + reason + "\r\n" + type + headers + "Content-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n";
        out.write(h.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) out.write(bytes);
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) { // closing anyway
        }
    }

    /** The address it listens on (with the actual port when started on port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Stops listening; connections being served are closed. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) { // closing anyway
        }
        threads.shutdownNow();
        deadlines.shutdownNow();
    }
}
