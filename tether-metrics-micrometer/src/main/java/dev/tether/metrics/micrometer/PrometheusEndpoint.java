package dev.tether.metrics.micrometer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves a scrape in the Prometheus text format on {@code GET /metrics}, for example {@code
 * PrometheusMeterRegistry::scrape} of Micrometer's Prometheus registry. Any other path answers 404, any other
 * method 405; request bodies are not read. A request from this machine's loopback that a web page could have sent (a
 * {@code Host} that is not a loopback name, as through DNS rebinding, or a foreign {@code Origin}) answers 403
 * ({@code BrowserRequests}); a request from another address is not checked, so a Prometheus server elsewhere scrapes by any
 * name. Two threads serve requests, so a slow client delays at most one other;
 * a scrape that throws answers 500 with the exception's message and the endpoint keeps serving.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    /** The content type of the Prometheus text exposition format, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService threads;

    private PrometheusEndpoint(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /**
     * Listens on {@code address} (port 0: a free one) and serves {@code scrape}'s text on {@code /metrics}.
     *
     * @throws UncheckedIOException naming the address if it cannot be bound (in use, not local)
     */
    public static PrometheusEndpoint start(InetSocketAddress address, Supplier<String> scrape) {
        Objects.requireNonNull(scrape, "scrape");
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "tether-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", exchange -> serve(exchange, scrape));
        server.start();
        return new PrometheusEndpoint(server, threads);
    }

    private static void serve(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            String refused = BrowserRequests.refusal(
                    exchange.getRemoteAddress().getAddress(),
                    exchange.getRequestHeaders().getFirst("Host"),
                    exchange.getRequestHeaders().getFirst("Origin"));
            if (refused != null) {
                respond(exchange, 403, "forbidden: " + refused + "\n");
            } else if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                respond(exchange, 404, "not found: metrics are on /metrics\n");
            } else if (!exchange.getRequestMethod().equals("GET")
                    && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "method not allowed: use GET\n");
            } else {
                String text;
                try {
                    text = scrape.get();
                } catch (RuntimeException e) {
                    respond(exchange, 500, "scrape failed: " + e + "\n");
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                respond(exchange, 200, text);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (status != 200) exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The address it listens on (with the actual port when started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops listening, letting a request being served finish within a second. */
    @Override
    public void close() {
        server.stop(1);
        threads.shutdownNow();
    }
}
