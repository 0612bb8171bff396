package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.testkit.Await;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The expensive work of TLS handshakes (the {@code SSLEngine}'s delegated tasks, among them the trust manager's
 * certificate checks) runs off the transport's I/O thread (docs/TCP.md, "Threading"), so a handshake, however slow,
 * does not stall the established connections that thread carries.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TlsHandshakeOffLoopTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Far more than a frame needs on loopback; a stalled I/O thread delivers nothing until the check is released. */
    private static final Duration DELIVERY = Duration.ofSeconds(10);

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    @TempDir
    static Path dir;

    private static TestPki pki;
    private final RecordingNodes nodes = new RecordingNodes(Duration.ofMillis(200));

    @BeforeAll
    static void createPki() {
        pki = new TestPki(dir, "offloop");
    }

    @AfterEach
    void closeAll() {
        nodes.closeAndCheckRules();
    }

    private RecordingNode start(String id, TcpTransport.Builder builder) {
        return nodes.start(id, builder);
    }

    @Test
    void certificateChecksRunOffTheIoThread() throws Exception {
        TestPki.Issued bKeys = pki.issue("b");
        TestPki.Issued aKeys = pki.issue("a");
        CheckingTrustManager bTrust = new CheckingTrustManager(bKeys.trustStore(), null);
        CheckingTrustManager aTrust = new CheckingTrustManager(aKeys.trustStore(), null);
        RecordingNode b = start("b", TcpTransport.builder().tls(bTrust.tls(bKeys)));
        RecordingNode a =
                start("a", TcpTransport.builder().tls(aTrust.tls(aKeys)).peer(B, b.transport.boundAddress()));

        Await.until(TIMEOUT, () -> a.listener.isUp(B) && b.listener.isUp(A), () -> "a and b up: " + a.rejections());
        assertThat(bTrust.threads())
                .as("b checked a's certificate (server side)")
                .isNotEmpty();
        assertThat(aTrust.threads())
                .as("a checked b's certificate (client side)")
                .isNotEmpty();
        assertThat(bTrust.threads()).doesNotContain(ioThread(b));
        assertThat(aTrust.threads()).doesNotContain(ioThread(a));
    }

    /**
     * b holds its check of c's certificate; meanwhile frames between a and b, connected before, keep flowing both
     * ways. Once released, c's handshake completes as usual. On the I/O thread the held check stalls a and b.
     */
    @Test
    void anEstablishedConnectionKeepsDeliveringWhileAHandshakeIsHeld() throws Exception {
        TestPki.Issued bKeys = pki.issue("b");
        CheckingTrustManager bTrust = new CheckingTrustManager(bKeys.trustStore(), "c");
        try {
            RecordingNode b = start("b", TcpTransport.builder().tls(bTrust.tls(bKeys)));
            RecordingNode a = start(
                    "a",
                    TcpTransport.builder().tls(pki.issue("a").keyStoreTls()).peer(B, b.transport.boundAddress()));
            Await.until(TIMEOUT, () -> a.listener.isUp(B) && b.listener.isUp(A), () -> "a and b up");

            RecordingNode c = start(
                    "c",
                    TcpTransport.builder().tls(pki.issue("c").keyStoreTls()).peer(B, b.transport.boundAddress()));
            assertThat(bTrust.awaitHolding(TIMEOUT))
                    .as("b's check of c's certificate started")
                    .isTrue();

            for (int i = 0; i < 10; i++) {
                assertThat(a.transport.send(B, utf8("a" + i))).isTrue();
                assertThat(b.transport.send(A, utf8("b" + i))).isTrue();
            }
            Await.until(
                    DELIVERY,
                    () -> received(b).contains("a9") && received(a).contains("b9"),
                    () -> "frames while c's handshake is held: at b " + received(b) + ", at a " + received(a));
            assertThat(b.listener.isUp(C))
                    .as("c is not up while its check is held")
                    .isFalse();

            bTrust.release();
            Await.until(TIMEOUT, () -> b.listener.isUp(C) && c.listener.isUp(B), () -> "c up: " + b.rejections());
            assertThat(b.rejections()).isEmpty();
        } finally {
            bTrust.release();
        }
    }

    private static Thread ioThread(RecordingNode n) throws Exception {
        return n.transport.nodeExecutor().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> received(RecordingNode n) {
        return n.listener.frames().stream()
                .map(f -> new String(f.bytes(), StandardCharsets.UTF_8))
                .toList();
    }
}
