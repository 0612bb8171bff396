package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
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

/** TLS between real transports on loopback, with certificates generated for this run. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpTlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    static Path dir;

    private static TestPki good;
    private static TestPki rogue;
    private final RecordingNodes nodes = new RecordingNodes(Duration.ofMillis(500));

    @BeforeAll
    static void createPki() {
        good = new TestPki(dir, "good");
        rogue = new TestPki(dir, "rogue");
    }

    @AfterEach
    void closeAll() {
        nodes.closeAndCheckRules();
    }

    private RecordingNode start(String id, TcpTransport.Builder builder) {
        return nodes.start(id, builder);
    }

    @Test
    void mutualTlsCarriesFramesBothWays() {
        RecordingNode b = start("b", TcpTransport.builder().tls(good.issue("b").pemTls()));
        RecordingNode a = start(
                "a", TcpTransport.builder().tls(good.issue("a").keyStoreTls()).peer(B, b.transport.boundAddress()));

        Await.until(TIMEOUT, () -> a.listener.isUp(B) && b.listener.isUp(A), () -> "a and b up over TLS");
        assertThat(a.transport.send(B, utf8("to b"))).isTrue();
        assertThat(b.transport.send(A, utf8("to a"))).isTrue();

        Await.until(TIMEOUT, () -> received(b).contains("to b") && received(a).contains("to a"), () -> "frames");
        assertThat(b.listener.frames()).allSatisfy(f -> assertThat(f.from()).isEqualTo(A));
        assertThat(a.rejections()).isEmpty();
        assertThat(b.rejections()).isEmpty();
    }

    @Test
    void clientWithCertificateFromUntrustedCaIsRefusedAndReported() {
        TestPki.Issued goodA = good.issue("a");
        RecordingNode a = start("a", TcpTransport.builder().tls(goodA.keyStoreTls()));
        TestPki.Issued rogueB = rogue.issue("b");
        // trusts a's CA, so only a's check of b's certificate can fail
        TcpTls bTls = TcpTls.fromKeyStores(rogueB.keyStore(), TestPki.PASSWORD, goodA.trustStore(), TestPki.PASSWORD);
        start("b", TcpTransport.builder().tls(bTls).peer(A, a.transport.boundAddress()));

        Await.until(
                TIMEOUT,
                () -> a.rejected("no certificate signed by a CA this node trusts"),
                () -> "a to report the untrusted certificate: " + a.rejections());
        assertThat(a.listener.ups(B)).isZero();
    }

    @Test
    void serverWithCertificateFromUntrustedCaIsRefusedAndReported() {
        RecordingNode b = start("b", TcpTransport.builder().tls(rogue.issue("b").keyStoreTls()));
        RecordingNode a = start(
                "a", TcpTransport.builder().tls(good.issue("a").keyStoreTls()).peer(B, b.transport.boundAddress()));

        Await.until(
                TIMEOUT,
                () -> a.rejected("not signed by a CA this node trusts"),
                () -> "a to report b's untrusted certificate: " + a.rejections());
        assertThat(a.listener.ups(B)).isZero();
        assertThat(b.listener.ups(A)).isZero();
    }

    @Test
    void clientClaimingAnotherNodesIdIsRefusedAndReported() {
        RecordingNode a = start("a", TcpTransport.builder().tls(good.issue("a").keyStoreTls()));
        // a valid certificate for c, used by a node that says it is b
        RecordingNode b = start(
                "b", TcpTransport.builder().tls(good.issue("c").keyStoreTls()).peer(A, a.transport.boundAddress()));

        Await.until(
                TIMEOUT,
                () -> a.rejected("claims id b but its certificate"),
                () -> "a to refuse b's unproven id: " + a.rejections());
        Await.until(TIMEOUT, () -> b.rejected("refused by the peer"), () -> "b told why: " + b.rejections());
        assertThat(a.listener.ups(B)).isZero();
        assertThat(b.listener.ups(A)).isZero();
    }

    @Test
    void serverClaimingTheDialedIdWithoutProofIsRefusedAndReported() {
        RecordingNode impostor =
                start("b", TcpTransport.builder().tls(good.issue("c").keyStoreTls()));
        RecordingNode a = start(
                "a",
                TcpTransport.builder().tls(good.issue("a").keyStoreTls()).peer(B, impostor.transport.boundAddress()));

        Await.until(
                TIMEOUT,
                () -> a.rejected("claims id b but its certificate"),
                () -> "a to refuse the server's unproven id: " + a.rejections());
        assertThat(a.listener.ups(B)).isZero();
        // the listening side learns why from the dialer's REJECT, whatever handshake step it was waiting in
        Await.until(
                TIMEOUT,
                () -> impostor.rejected("refused by the peer: the peer claims id b but its certificate"),
                () -> "the server told why: " + impostor.rejections());
        assertThat(impostor.rejections())
                .noneSatisfy(r -> assertThat(r.reason()).contains("got record type"));
    }

    /** A certificate whose URI name is c and whose CN is b proves only c: the CN does not count beside a URI name. */
    @Test
    void aCommonNameDoesNotProveAnIdWhenTheCertificateNamesANodeUri() {
        RecordingNode a = start("a", TcpTransport.builder().tls(good.issue("a").keyStoreTls()));
        TestPki.Issued sanCcnB = good.issue("san-c-cn-b", "b", TestPki.nodeUri("c"));
        RecordingNode b =
                start("b", TcpTransport.builder().tls(sanCcnB.keyStoreTls()).peer(A, a.transport.boundAddress()));

        Await.until(
                TIMEOUT,
                () -> a.rejected("the peer claims id b but its certificate (CN=b) proves [c]"),
                () -> "a to refuse b's unproven id: " + a.rejections());
        assertThat(a.listener.ups(B)).isZero();
        assertThat(b.listener.ups(A)).isZero();
    }

    /**
     * Without client certificates ({@code mutual(false)}) the client's id is taken on its word: the accepting end
     * offers it for admission as unproven (as plain TCP does), even when the client's certificate names another node;
     * the dialing end still checks the server's certificate.
     */
    @Test
    void withoutClientCertificatesTheClientsIdIsOfferedAsUnproven() {
        RecordingNode a =
                start("a", TcpTransport.builder().tls(good.issue("a").pemTls().mutual(false)));
        RecordingNode b = start(
                "b", TcpTransport.builder().tls(good.issue("c").keyStoreTls()).peer(A, a.transport.boundAddress()));

        Await.until(TIMEOUT, () -> a.listener.isUp(B) && b.listener.isUp(A), () -> "a and b up: " + a.rejections());
        assertThat(a.listener.lastProof(B)).as("what a established about b").isEqualTo(PeerProof.NONE);
        assertThat(b.listener.lastProof(A)).as("what b established about a").isEqualTo(PeerProof.IDENTITY);
        assertThat(a.rejections()).isEmpty();
    }

    @Test
    void plaintextClientToTlsServerIsRefusedAndReported() {
        RecordingNode a = start("a", TcpTransport.builder().tls(good.issue("a").keyStoreTls()));
        RecordingNode b = start("b", TcpTransport.builder().peer(A, a.transport.boundAddress()));

        Await.until(TIMEOUT, () -> a.rejected("TLS"), () -> "a to report the plaintext client: " + a.rejections());
        assertThat(a.listener.ups(B)).isZero();
        assertThat(b.listener.ups(A)).isZero();
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
