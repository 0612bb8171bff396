package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Accepted connections in the handshake are also capped per remote IP address ({@code maxPendingHandshakesPerAddress},
 * docs/TCP.md, "Frames and limits"): one address holding its share of silent connections cannot take the global slots
 * ({@code maxPendingHandshakes}) from the others. A connection beyond the per-address cap is closed at once and
 * reported; another address still connects; a slot is freed when a held connection closes or completes its handshake.
 * Linux routes all of 127.0.0.0/8 to loopback, so 127.0.0.2 is a second client address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerAddressHandshakeCapTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void oneAddressCannotTakeMoreThanItsShareOfPendingHandshakes() throws Exception {
        InetAddress first = InetAddress.getByName("127.0.0.1");
        InetAddress second = InetAddress.getByName("127.0.0.2");
        List<Socket> held = new ArrayList<>();
        try (RecordingNode b = RecordingNode.start(
                "b",
                TcpTransport.builder()
                        .maxPendingHandshakes(10)
                        .maxPendingHandshakesPerAddress(2)
                        .handshakeTimeout(Duration.ofMinutes(5)) // the held ones stay until the test closes them
                        .build())) {
            InetSocketAddress at = b.transport.boundAddress();
            for (int i = 0; i < 2; i++) held.add(helloThenSilence(at, first));
            try (Socket beyond = connect(at, first)) {
                assertThat(beyond.getInputStream().read())
                        .as("a third connection from 127.0.0.1 is closed at once, nothing sent")
                        .isEqualTo(-1);
            }
            Await.until(
                    WAIT,
                    () -> b.rejected("more than 2 accepted connections from 127.0.0.1 in the handshake"
                            + " (maxPendingHandshakesPerAddress); closed at once"),
                    () -> "the refusal reported: " + b.rejections());
            held.add(helloThenSilence(at, second)); // the global cap is not reached: other addresses still connect

            held.remove(0).close(); // one of 127.0.0.1's handshakes ends: a peer there connects again
            try (RecordingNode a = RecordingNode.start(
                    "a",
                    TcpTransport.builder()
                            .peer(B, at)
                            .reconnect(Duration.ofMillis(20), Duration.ofMillis(200))
                            .build())) {
                Await.until(WAIT, () -> a.listener.isUp(B) && b.listener.isUp(A), () -> "a and b up");
                // a's completed handshake no longer counts: 127.0.0.1 holds one pending handshake, so one more fits
                held.add(helloThenSilence(at, first));
            }
        } finally {
            for (Socket s : held) s.close();
        }
    }

    private static Socket connect(InetSocketAddress at, InetAddress from) throws IOException {
        Socket s = new Socket(at.getAddress(), at.getPort(), from, 0);
        s.setSoTimeout(20_000);
        return s;
    }

    /** A connection from {@code from} that reads the server's first byte (so it was accepted and counted). */
    private static Socket helloThenSilence(InetSocketAddress at, InetAddress from) throws IOException {
        Socket s = connect(at, from);
        assertThat(s.getInputStream().read())
                .as("the server's first byte to " + from.getHostAddress())
                .isNotEqualTo(-1);
        return s;
    }
}
