package dev.tether.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The scrape endpoint over a real socket: GET /metrics, wrong paths and methods, a failing scrape. */
class PrometheusEndpointTest {
    @Test
    void servesTheScrapeAndRefusesTheRest() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (PrometheusEndpoint e = PrometheusEndpoint.start(new InetSocketAddress("127.0.0.1", 0), () -> {
            if (calls.incrementAndGet() == 2) throw new IllegalStateException("registry closed");
            return "# TYPE up gauge\nup 1\n";
        })) {
            int port = e.address().getPort();
            String ok = request(port, "GET /metrics HTTP/1.1");
            assertThat(ok)
                    .startsWith("HTTP/1.1 200")
                    .contains("text/plain; version=0.0.4")
                    .endsWith("up 1\n");
            assertThat(request(port, "GET /metrics HTTP/1.1"))
                    .startsWith("HTTP/1.1 500")
                    .contains("registry closed");
            assertThat(request(port, "GET /metrics HTTP/1.1"))
                    .as("serves on after a failed scrape")
                    .startsWith("HTTP/1.1 200");
            assertThat(request(port, "GET / HTTP/1.1"))
                    .startsWith("HTTP/1.1 404")
                    .contains("/metrics");
            assertThat(request(port, "POST /metrics HTTP/1.1")).startsWith("HTTP/1.1 405");
        }
    }

    @Test
    void anAddressInUseIsNamed() throws IOException {
        try (PrometheusEndpoint first = PrometheusEndpoint.start(new InetSocketAddress("127.0.0.1", 0), () -> "")) {
            InetSocketAddress taken = first.address();
            try {
                PrometheusEndpoint.start(taken, () -> "").close();
                throw new AssertionError("a second endpoint bound " + taken);
            } catch (java.io.UncheckedIOException expected) {
                assertThat(expected).hasMessageContaining(String.valueOf(taken.getPort()));
            }
        }
    }

    private static String request(int port, String requestLine) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            String req = requestLine + "\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
