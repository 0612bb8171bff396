package dev.tether.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scrape endpoint's accept loop when {@code accept} fails without the socket being closed (no file descriptor
 * left: EMFILE): each failure waits, 10 ms doubling up to 1 s, instead of retrying at once (which spun a core), and
 * the endpoint serves again once accepts succeed, starting over at 10 ms after the next failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsAcceptBackoffTest {
    /** A server socket whose next {@code failures} accepts fail as an exhausted process's would. */
    private static final class FailingAccepts extends ServerSocket {
        final AtomicInteger failures = new AtomicInteger();

        FailingAccepts() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new IOException("Too many open files");
            return super.accept();
        }
    }

    @Test
    void failedAcceptsBackOffAndTheEndpointServesOnceTheyStop() throws Exception {
        FailingAccepts socket = new FailingAccepts();
        socket.failures.set(9);
        socket.bind(new InetSocketAddress("127.0.0.1", 0), 64);
        List<Long> pauses = new CopyOnWriteArrayList<>();
        try (PrometheusEndpoint e =
                PrometheusEndpoint.serve(socket, () -> "up 1\n", Duration.ofSeconds(5), pauses::add)) {
            assertThat(scrape(e)).as("served after the failures").endsWith("up 1\n");
            assertThat(pauses).containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L);

            pauses.clear();
            socket.failures.set(2);
            // The loop waits in an accept that already passed its failure check: this scrape takes that one.
            assertThat(scrape(e)).endsWith("up 1\n");
            assertThat(scrape(e)).as("served after two more failures").endsWith("up 1\n");
            assertThat(pauses).as("a new burst starts over").containsExactly(10L, 20L);
        }
    }

    private static String scrape(PrometheusEndpoint e) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(e.address(), 10_000);
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
