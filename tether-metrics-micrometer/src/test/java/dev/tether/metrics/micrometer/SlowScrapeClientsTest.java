package dev.tether.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that send half a request head and stop (slow, stopped or hostile) do not stop scrapes: each connection has
 * a thread of its own up to {@link PrometheusEndpoint#MAX_CONNECTIONS}, and the endpoint itself cuts a head off at its
 * deadline (before, two such connections held the endpoint's two threads without end unless a JVM-wide property was
 * set).
 */
class SlowScrapeClientsTest {
    private static final String HALF = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";

    @Test
    void aScrapeIsAnsweredWhileEightClientsHoldHalfARequestEach() throws IOException {
        try (PrometheusEndpoint e = PrometheusEndpoint.start(new InetSocketAddress("127.0.0.1", 0), () -> "up 1\n")) {
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) silent.add(halfRequest(e.address()));
                assertThat(scrape(e.address(), Duration.ofSeconds(3)))
                        .startsWith("HTTP/1.1 200")
                        .endsWith("up 1\n");
            } finally {
                for (Socket s : silent) s.close();
            }
        }
    }

    @Test
    void theEndpointClosesAConnectionWhoseHeadIsLateAndOneBeyondItsCap() throws IOException {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        try (PrometheusEndpoint e = PrometheusEndpoint.start(any, () -> "up 1\n", Duration.ofMillis(300))) {
            try (Socket late = halfRequest(e.address())) {
                late.setSoTimeout(10_000);
                assertThat(late.getInputStream().read())
                        .as("the server closed it, answering nothing")
                        .isEqualTo(-1);
            }
        }
        try (PrometheusEndpoint e = PrometheusEndpoint.start(any, () -> "up 1\n", Duration.ofMinutes(5))) {
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < PrometheusEndpoint.MAX_CONNECTIONS; i++) silent.add(halfRequest(e.address()));
                try (Socket beyond = halfRequest(e.address())) {
                    beyond.setSoTimeout(10_000);
                    assertThat(beyond.getInputStream().read())
                            .as("closed at once: the cap")
                            .isEqualTo(-1);
                }
                silent.remove(0).close(); // a connection ends: a scrape has a thread again once the server saw it end
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                String answer = scrape(e.address(), Duration.ofSeconds(10));
                while (answer.isEmpty() && System.nanoTime() < end)
                    answer = scrape(e.address(), Duration.ofSeconds(10));
                assertThat(answer).startsWith("HTTP/1.1 200");
            } finally {
                for (Socket s : silent) s.close();
            }
        }
    }

    private static Socket halfRequest(InetSocketAddress at) throws IOException {
        Socket s = new Socket(at.getAddress(), at.getPort());
        s.getOutputStream().write(HALF.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** The whole answer to a scrape, which must come within {@code within}. */
    private static String scrape(InetSocketAddress at, Duration within) throws IOException {
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout((int) within.toMillis());
            s.getOutputStream()
                    .write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
