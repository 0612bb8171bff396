package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Accepted connections that have not completed the handshake are capped ({@code maxPendingHandshakes}, docs/TCP.md,
 * "Limits"): one beyond the cap is closed at once and reported, so silent or slow clients cannot hold an unbounded
 * number of descriptors (and, with TLS, key exchanges on the node's I/O thread); once one of them ends, a peer
 * connects again.
 */
class PendingHandshakeCapTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aConnectionBeyondTheCapOfPendingHandshakesIsClosedAtOnce() throws Exception {
        TcpTransport tb = TcpTransport.builder()
                .maxPendingHandshakes(2)
                .handshakeTimeout(Duration.ofMinutes(5)) // the held ones stay until the test closes them
                .build();
        List<Socket> silent = new ArrayList<>();
        try (TetherNode b = node("b", tb, List.of(NodeId.of("a")))) {
            InetSocketAddress at = tb.boundAddress();
            for (int i = 0; i < 2; i++) silent.add(helloThenSilence(at));
            try (Socket beyond = new Socket(at.getAddress(), at.getPort())) {
                beyond.setSoTimeout(20_000);
                assertThat(beyond.getInputStream().read())
                        .as("closed at once, nothing sent")
                        .isEqualTo(-1);
            }
            Await.until(WAIT, () -> b.stats().connectionsRejected() >= 1, () -> "rejections " + b.stats());
            silent.remove(0).close(); // one pending handshake ends: a peer may connect again
            TcpTransport ta = TcpTransport.builder()
                    .peer(NodeId.of("b"), at)
                    .reconnect(Duration.ofMillis(20), Duration.ofMillis(200))
                    .build();
            try (TetherNode a = node("a", ta, List.of(NodeId.of("b")))) {
                Await.until(WAIT, () -> a.stats().connectedPeers().contains(NodeId.of("b")), () -> "a to b");
            }
        } finally {
            for (Socket s : silent) s.close();
        }
    }

    /** A connection that reads the server's HELLO (so it was accepted and counted) and then sends nothing. */
    private static Socket helloThenSilence(InetSocketAddress at) throws IOException {
        Socket s = new Socket(at.getAddress(), at.getPort());
        s.setSoTimeout(20_000);
        InputStream in = s.getInputStream();
        assertThat(in.read()).as("the server's first byte").isNotEqualTo(-1);
        return s;
    }

    private static TetherNode node(String id, TcpTransport t, List<NodeId> peers) {
        return Tether.start(TetherConfig.builder(NodeId.of(id))
                .peers(peers)
                .transport(t)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build());
    }
}
