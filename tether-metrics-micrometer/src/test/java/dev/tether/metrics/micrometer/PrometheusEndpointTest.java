package dev.tether.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The scrape endpoint over a real socket: GET /metrics, wrong paths and methods, a failing scrape, and the requests
 * from loopback that a web page could have sent (DNS rebinding), refused while a scraper elsewhere is served.
 */
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

    /** An endpoint on {@code host}, any port, serving "up 1" and counting the scrapes it served. */
    private static PrometheusEndpoint countingScrapes(String host, AtomicInteger scrapes) throws IOException {
        return PrometheusEndpoint.start(new InetSocketAddress(host, 0), () -> {
            scrapes.incrementAndGet();
            return "up 1\n";
        });
    }

    @Test
    void aRequestFromLoopbackThatAWebPageCouldHaveSentIsRefused() throws IOException {
        AtomicInteger scrapes = new AtomicInteger();
        try (PrometheusEndpoint e = countingScrapes("0.0.0.0", scrapes)) {
            int port = e.address().getPort();
            InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", port);
            assertThat(request(loopback, null, "GET /metrics HTTP/1.1", "Host: evil.example:" + port))
                    .as("a page whose name was rebound to 127.0.0.1")
                    .startsWith("HTTP/1.1 403")
                    .contains("not a loopback name", "DNS rebinding")
                    .doesNotContain("up 1");
            assertThat(request(
                            loopback,
                            null,
                            "GET /metrics HTTP/1.1",
                            "Host: 127.0.0.1:" + port,
                            "Origin: https://evil.example"))
                    .startsWith("HTTP/1.1 403")
                    .contains("Origin https://evil.example");
            assertThat(request(loopback, null, "HEAD /metrics HTTP/1.1", "Host: 127.0.0.1.evil.example"))
                    .startsWith("HTTP/1.1 403");
            assertThat(scrapes).as("nothing scraped for a refused request").hasValue(0);

            for (String host : new String[] {"Host: localhost:" + port, "Host: 127.0.0.1:" + port, "Host: [::1]"}) {
                assertThat(request(loopback, null, "GET /metrics HTTP/1.1", host))
                        .as(host)
                        .endsWith("up 1\n");
            }
            assertThat(request(loopback, null, "GET /metrics HTTP/1.0"))
                    .as("no Host")
                    .endsWith("up 1\n");

            InetSocketAddress external = new InetSocketAddress(nonLoopback(), port);
            assertThat(request(
                            external, external.getAddress(), "GET /metrics HTTP/1.1", "Host: node-7.example:" + port))
                    .as("a scraper on another host names the node as it likes")
                    .startsWith("HTTP/1.1 200")
                    .endsWith("up 1\n");
        }
    }

    /**
     * As the CLI's admin endpoint ({@code AdminSurfaceSafetyTest}): a request a page of another site made by loading the
     * endpoint (an image, a script, a frame: no {@code Origin} on such a GET, but {@code Sec-Fetch-Site}) is refused.
     */
    @Test
    void aRequestFromLoopbackThatAPageOfAnotherSiteMadeIsRefused() throws IOException {
        AtomicInteger scrapes = new AtomicInteger();
        try (PrometheusEndpoint e = countingScrapes("127.0.0.1", scrapes)) {
            int port = e.address().getPort();
            InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", port);
            for (String site : new String[] {"cross-site", "same-site", "Cross-Site"}) {
                assertThat(request(
                                loopback,
                                null,
                                "GET /metrics HTTP/1.1",
                                "Host: 127.0.0.1:" + port,
                                "Sec-Fetch-Site: " + site))
                        .as("loaded by a page of another site (an <img>, a frame): " + site)
                        .startsWith("HTTP/1.1 403")
                        .contains("Sec-Fetch-Site: " + site);
            }
            assertThat(scrapes).as("nothing scraped for a refused request").hasValue(0);
            for (String site : new String[] {"same-origin", "none"}) {
                assertThat(request(
                                loopback,
                                null,
                                "GET /metrics HTTP/1.1",
                                "Host: 127.0.0.1:" + port,
                                "Sec-Fetch-Site: " + site))
                        .as("typed into the address bar, or the endpoint's own origin: " + site)
                        .endsWith("up 1\n");
            }
        }
    }

    @Test
    void loopbackNamesAreTheLoopbackLiteralsAndLocalhostOnly() {
        for (String h : new String[] {
            "127.0.0.1:9464",
            "127.1.2.3",
            "127.255.0.9",
            "localhost",
            "LOCALHOST:80",
            "app.localhost:1",
            "[::1]:9464",
            "[::1]",
            "[0:0:0:0:0:0:0:1]"
        }) {
            assertThat(BrowserRequests.isLoopbackName(h)).as(h).isTrue();
        }
        for (String h : new String[] {
            "evil.example:9464",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "128.0.0.1",
            "127.0.0.256",
            "127.0.0",
            "10.0.0.1:9464",
            "[::2]:9464",
            "[evil]:1",
            "[::1]evil",
            "127.0.0.1:80:80",
            "localhost:x",
            ""
        }) {
            assertThat(BrowserRequests.isLoopbackName(h)).as(h).isFalse();
        }
    }

    private static String request(int port, String requestLine) throws IOException {
        return request(new InetSocketAddress("127.0.0.1", port), null, requestLine, "Host: 127.0.0.1:" + port);
    }

    /** Sends {@code requestLine} and {@code headers} to {@code to}, from {@code from} (null: any address). */
    private static String request(InetSocketAddress to, InetAddress from, String requestLine, String... headers)
            throws IOException {
        try (Socket s = new Socket()) {
            if (from != null) s.bind(new InetSocketAddress(from, 0));
            s.connect(to, 10_000);
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(requestLine).append("\r\n");
            for (String h : headers) req.append(h).append("\r\n");
            req.append("Connection: close\r\nContent-Length: 0\r\n\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** An IPv4 address of this machine other than loopback, standing for a scraper on another host. */
    private static InetAddress nonLoopback() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(PrometheusEndpointTest::isUpAndNotLoopback)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no IPv4 address other than loopback: the test needs one"));
    }

    private static boolean isUpAndNotLoopback(NetworkInterface i) {
        try {
            return i.isUp() && !i.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }
}
