package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.testkit.Await;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Garbage clients (seeded mutations of valid client streams, see {@link WireFuzz}) connect to a live transport
 * over real sockets while a good peer exchanges frames with it: the good connection is never disturbed and
 * every frame arrives in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpSocketFuzzTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final int CLIENTS = Integer.getInteger("tether.fuzz.clients", 300);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    static {
        System.out.println("TcpSocketFuzzTest seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    private final RecordingNodes nodes = new RecordingNodes(Duration.ofMillis(500));

    @AfterEach
    void closeAll() {
        nodes.closeAndCheckRules();
    }

    @Test
    void garbageClientsNeverDisturbAGoodPeer() throws IOException {
        int max = 1024;
        RecordingNode a = start("a", TcpTransport.builder().maxFrameBytes(max));
        RecordingNode b = start("b", TcpTransport.builder().maxFrameBytes(max).peer(A, a.transport.boundAddress()));
        Await.until(TIMEOUT, () -> a.listener.isUp(B) && b.listener.isUp(A), () -> "a and b up");
        WireFuzz fuzz = new WireFuzz(new Random(SEED), "fuzz-client", max);

        for (int i = 0; i < CLIENTS; i++) {
            try (Socket s = new Socket()) {
                s.connect(a.transport.boundAddress(), 10_000);
                s.getOutputStream().write(fuzz.next(false).bytes());
            } catch (SocketException e) {
                // a may close a garbage connection before the client finishes writing
            }
            assertThat(b.transport.send(A, numbered(i))).as("b's frame " + i).isTrue();
            assertThat(a.transport.send(B, numbered(i))).as("a's frame " + i).isTrue();
        }

        Await.until(
                TIMEOUT,
                () -> fromPeer(a, B).size() == CLIENTS,
                () -> "b's frames at a: " + fromPeer(a, B).size());
        Await.until(
                TIMEOUT,
                () -> fromPeer(b, A).size() == CLIENTS,
                () -> "a's frames at b: " + fromPeer(b, A).size());
        assertThat(fromPeer(a, B)).as("in order").isSorted().doesNotHaveDuplicates();
        assertThat(fromPeer(b, A)).as("in order").isSorted().doesNotHaveDuplicates();
        assertThat(a.listener.ups(B)).isEqualTo(1);
        assertThat(a.listener.downs(B)).isZero();
        Await.until(TIMEOUT, () -> !a.rejections().isEmpty(), () -> "garbage reported");
        System.out.println("TcpSocketFuzzTest: " + CLIENTS + " garbage clients, "
                + a.rejections().size() + " rejections");
    }

    private RecordingNode start(String id, TcpTransport.Builder builder) {
        return nodes.start(id, builder);
    }

    private static ByteBuffer numbered(int i) {
        return ByteBuffer.allocate(8).putLong(0, i);
    }

    private static List<Long> fromPeer(RecordingNode at, NodeId peer) {
        return at.listener.frames().stream()
                .filter(f -> f.from().equals(peer))
                .map(f -> ByteBuffer.wrap(f.bytes()).getLong())
                .toList();
    }
}
