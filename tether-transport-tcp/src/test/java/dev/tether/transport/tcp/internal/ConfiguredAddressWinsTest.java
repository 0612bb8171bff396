package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.net.TcpProxy;
import dev.tether.transport.tcp.TcpTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A member list from one peer (m) naming a configured peer (c) at another address does not change where node a dials
 * c (docs/TCP.md, "Seeds and member lists"): once a's connection to c breaks, a redials c's configured address (a
 * proxy here), never the one m gave. Before, m's entry replaced it and a dialed m's address for good.
 */
class ConfiguredAddressWinsTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId M = NodeId.of("m");
    private static final NodeId Z = NodeId.of("z");
    private static final Duration WAIT = Duration.ofSeconds(25);

    @Test
    void aMemberListFromOnePeerDoesNotRedirectTheDialsToAConfiguredPeer() throws Exception {
        TcpTransport tc = TcpTransport.builder().build();
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (TetherNode c = node(C, List.of(A), tc);
                TcpProxy proxy = TcpProxy.start(tc.boundAddress());
                ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThat(c.id()).isEqualTo(C);
            acceptSilently(sink, held);
            TcpTransport ta = TcpTransport.builder()
                    .peer(C, proxy.address())
                    .reconnect(Duration.ofMillis(20), Duration.ofMillis(200))
                    .build();
            try (TetherNode a = node(A, List.of(C, M), ta);
                    Socket m = new Socket()) {
                Await.until(WAIT, () -> a.stats().connectedPeers().contains(C), () -> "a to c");
                String elsewhere = "127.0.0.1:" + sink.getLocalPort();
                joinAsM(
                        m,
                        ta,
                        List.of(new Members.Entry(C, List.of(elsewhere)), new Members.Entry(Z, List.of(elsewhere))));
                // The list is taken in order: once z (unknown to a, so m's word is taken) is known, c's entry was read.
                Await.until(WAIT, () -> info(a, Z).isPresent(), () -> "a learnt z: " + a.peers());
                assertThat(info(a, C).orElseThrow().addresses())
                        .as("c's addresses at a")
                        .doesNotContain(elsewhere);

                long before = proxy.forwardedConnections();
                proxy.cutAll(); // a's connection to c breaks; the proxy forwards new ones
                Await.until(WAIT, () -> !a.stats().connectedPeers().contains(C), () -> "a saw the cut");
                Await.until(WAIT, () -> a.stats().connectedPeers().contains(C), () -> "a back to c: " + a.peers());
                assertThat(proxy.forwardedConnections())
                        .as("dials through c's configured address")
                        .isGreaterThan(before);
            }
        } finally {
            for (Socket s : held) s.close();
        }
    }

    /** Accepts connections on {@code sink} and never answers them (a dial there waits for its handshake timeout). */
    private static void acceptSilently(ServerSocket sink, List<Socket> held) {
        Thread acceptor = new Thread(() -> {
            try {
                while (true) held.add(sink.accept());
            } catch (IOException closed) { // the test ended
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Completes the handshake with a's transport as configured peer m and sends one MEMBERS record of {@code members}. */
    private static void joinAsM(Socket m, TcpTransport ta, List<Members.Entry> members) throws IOException {
        m.connect(ta.boundAddress(), 10_000);
        m.setSoTimeout(10_000);
        OutputStream out = m.getOutputStream();
        out.write(bytes(Wire.preambleAndHello(
                UnpooledByteBufAllocator.DEFAULT,
                new Hello(Wire.FLAG_DIALER, 16 << 20, new byte[Wire.NONCE_BYTES], "m"))));
        DataInputStream in = new DataInputStream(m.getInputStream());
        in.readFully(new byte[Wire.PREAMBLE_BYTES]);
        in.readFully(new byte[in.readInt()]); // a's HELLO
        byte[] verdict = new byte[in.readInt()];
        in.readFully(verdict);
        assertThat(verdict[0]).as("a's verdict on m").isEqualTo((byte) Wire.ACCEPT);
        out.write(new byte[] {0, 0, 0, 1, Wire.CONFIRM});
        for (byte[] body : Members.encode(new Members.Entry(M, List.of()), members)) {
            out.write(bytes(Wire.control(UnpooledByteBufAllocator.DEFAULT, Wire.CONTROL_MEMBERS, body)));
        }
        out.flush();
    }

    private static Optional<PeerInfo> info(TetherNode n, NodeId peer) {
        return n.peers().stream().filter(p -> p.id().equals(peer)).findFirst();
    }

    private static TetherNode node(NodeId id, List<NodeId> peers, TcpTransport t) {
        return Tether.start(TetherConfig.builder(id)
                .peers(peers)
                .transport(t)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .discovery(t.discovery())
                .build());
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }
}
