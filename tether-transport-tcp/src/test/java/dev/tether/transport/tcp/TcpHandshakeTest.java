package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.testkit.Await;
import dev.tether.testkit.RecordingListener;
import dev.tether.transport.tcp.internal.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Handshake and framing violations on a live listener: each closes its own connection with a clear reason,
 * reported to the listener, while a good peer on the same listener keeps exchanging frames.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpHandshakeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int MAX = 64 * 1024;
    private static final byte[] KEY = "0123456789abcdef-cluster".getBytes(StandardCharsets.US_ASCII);

    private final RecordingNodes nodes = new RecordingNodes(Duration.ofMillis(500));
    private RecordingNode a;
    private RecordingNode b;
    private int probe;

    @BeforeEach
    void startGoodPair() {
        a = start("a", TcpTransport.builder().maxFrameBytes(MAX));
        b = start("b", TcpTransport.builder().maxFrameBytes(MAX).peer(A, a.transport.boundAddress()));
        Await.until(TIMEOUT, () -> a.listener.isUp(B) && b.listener.isUp(A), () -> "a and b up");
    }

    @AfterEach
    void closeAll() {
        nodes.closeAndCheckRules();
    }

    private RecordingNode start(String id, TcpTransport.Builder builder) {
        return nodes.start(id, builder);
    }

    @Test
    void wrongMagicIsRefused() throws IOException {
        refusedWith("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "wrong magic");
    }

    @Test
    void wrongVersionIsRefused() throws IOException {
        byte[] hello = RawClient.dialerHello("x", MAX);
        hello[5] = 1; // version 1, before member lists
        refusedWith(hello, "unsupported transport protocol version 1; this node speaks version 2");
    }

    @Test
    void oversizeHandshakeRecordIsRefusedFromItsLengthPrefix() throws IOException {
        byte[] preamble = Arrays.copyOf(RawClient.dialerHello("x", MAX), Wire.PREAMBLE_BYTES);
        byte[] announce2GiB = ByteBuffer.allocate(Wire.PREAMBLE_BYTES + 4)
                .put(preamble)
                .putInt(Integer.MAX_VALUE)
                .array();
        refusedWith(announce2GiB, "handshake record of 2147483647 bytes");
    }

    @Test
    void oversizeFrameIsRefusedFromItsLengthPrefix() throws IOException {
        try (RawClient x = new RawClient(a.transport.boundAddress())) {
            x.write(RawClient.dialerHello("x", MAX));
            x.completeHandshake();
            Await.until(TIMEOUT, () -> a.listener.isUp(NodeId.of("x")), () -> "x up at a");
            // 2 GiB announced and nothing else sent: refused without waiting for (or allocating) the body
            x.write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
            assertThat(x.awaitClosedByServer()).as("closed by a").isTrue();
        }
        Await.until(TIMEOUT, () -> a.rejected("frame of 2147483647 bytes announced"), () -> "reported");
        Await.until(TIMEOUT, () -> !a.listener.isUp(NodeId.of("x")), () -> "x down at a");
        goodPeerStillWorks();
    }

    @Test
    void aMemberListBeforeTheHandshakeCompletedIsRefused() throws IOException {
        byte[] hello = RawClient.dialerHello("x", MAX);
        byte[] members = ByteBuffer.allocate(hello.length + 9)
                .put(hello)
                .putInt(Wire.CONTROL)
                .putInt(1)
                .put((byte) Wire.CONTROL_MEMBERS)
                .array();
        refusedWith(members, "a control record (member list) before the handshake completed");
    }

    @Test
    void garbageIsRefused() throws IOException {
        byte[] garbage = new byte[300];
        long seed = 20261123L;
        new Random(seed).nextBytes(garbage);
        garbage[0] = 0x00; // not 'T': the magic check fails on the first byte
        refusedWith(garbage, "wrong magic");
    }

    @Test
    void invalidNodeIdIsRefused() throws IOException {
        refusedWith(RawClient.dialerHello("no spaces!", MAX), "invalid node id");
    }

    @Test
    void ownNodeIdIsRefused() throws IOException {
        refusedWith(RawClient.dialerHello("a", MAX), "claims this node's own id a");
    }

    @Test
    void silentClientIsClosedAfterTheHandshakeTimeout() throws IOException {
        a.close();
        RecordingNode slow = start("s", TcpTransport.builder().handshakeTimeout(Duration.ofMillis(200)));
        try (RawClient x = new RawClient(slow.transport.boundAddress())) {
            assertThat(x.awaitClosedByServer()).isTrue();
        }
        Await.until(TIMEOUT, () -> slow.rejected("handshake not completed within 200 ms"), () -> "reported");
    }

    @Test
    void idleConnectionGetsHeartbeatsAndASilentPeerIsDropped() throws IOException {
        RecordingNode s = start("s", TcpTransport.builder().heartbeat(Duration.ofMillis(100)));
        try (RawClient x = new RawClient(s.transport.boundAddress())) {
            x.write(RawClient.dialerHello("x", MAX)).completeHandshake();
            // s sends nothing but heartbeats; x sends nothing at all, so s drops it after three intervals
            assertThat(x.heartbeatsUntilClosed())
                    .as("heartbeats before s closed the connection")
                    .isPositive();
        }
        Await.until(TIMEOUT, () -> !s.listener.isUp(NodeId.of("x")), () -> "x down at s");
        assertThat(s.rejections()).as("silence is not a protocol violation").isEmpty();
    }

    @Test
    void peerThatStopsReadingMakesSendDropInsteadOfQueueingWithoutBound() throws IOException {
        RecordingNode s = start("s", TcpTransport.builder().maxFrameBytes(MAX).outboundLimitBytes(256 * 1024));
        try (RawClient x = new RawClient(s.transport.boundAddress())) {
            x.write(RawClient.dialerHello("x", MAX));
            x.completeHandshake();
            Await.until(TIMEOUT, () -> s.listener.isUp(NodeId.of("x")), () -> "x up at s");
            // x never reads again: the kernel's buffers fill, then s's queue, then send refuses
            ByteBuffer frame = ByteBuffer.allocate(1024);
            int sent = 0;
            while (s.transport.send(NodeId.of("x"), frame)) {
                sent++;
                assertThat(sent).as("frames accepted without a bound").isLessThan(1_000_000);
            }
            assertThat(s.transport.droppedFrames()).isPositive();
            assertThat(s.listener.isUp(NodeId.of("x")))
                    .as("the connection stays")
                    .isTrue();
        }
    }

    @Test
    void ownEntryInThePeerListIsIgnored() {
        RecordingNode p = start(
                "p",
                TcpTransport.builder()
                        .peer(NodeId.of("p"), a.transport.boundAddress())
                        .peer(A, a.transport.boundAddress()));
        Await.until(TIMEOUT, () -> p.listener.isUp(A), () -> "p up with a");
        assertThat(a.rejected("claims this node's own id")).isFalse();
        assertThat(p.rejections()).isEmpty();
    }

    @Test
    void preSharedKeyAdmitsMembersAndRefusesOthers() {
        byte[] key = KEY;
        byte[] wrong = "0123456789abcdef-intruder".getBytes(StandardCharsets.US_ASCII);
        RecordingNode p = start("p", TcpTransport.builder().preSharedKey(key));
        RecordingNode q =
                start("q", TcpTransport.builder().preSharedKey(key).peer(NodeId.of("p"), p.transport.boundAddress()));
        RecordingNode r =
                start("r", TcpTransport.builder().preSharedKey(wrong).peer(NodeId.of("p"), p.transport.boundAddress()));
        RecordingNode s = start("s", TcpTransport.builder().peer(NodeId.of("p"), p.transport.boundAddress()));

        Await.until(TIMEOUT, () -> p.listener.isUp(NodeId.of("q")) && q.listener.isUp(NodeId.of("p")), () -> "q in");
        // both ends say what happened, neither blames the other alone
        Await.until(TIMEOUT, () -> p.rejected("the keys differ"), () -> "r out: " + p.rejections());
        Await.until(TIMEOUT, () -> r.rejected("the keys differ"), () -> "r told: " + r.rejections());
        assertThat(p.rejections()).noneSatisfy(x -> assertThat(x.reason()).contains("does not know the key"));
        assertThat(r.rejections()).noneSatisfy(x -> assertThat(x.reason()).contains("does not know the key"));
        Await.until(
                TIMEOUT,
                () -> p.rejected("this node requires a pre-shared key but the peer has none"),
                () -> "s out: " + p.rejections());
        assertThat(p.listener.ups(NodeId.of("r"))).isZero();
        assertThat(p.listener.ups(NodeId.of("s"))).isZero();
        assertThat(r.listener.ups(NodeId.of("p"))).isZero();
        assertThat(s.listener.ups(NodeId.of("p"))).isZero();
    }

    /**
     * docs/TCP.md, "Pre-shared key": the role byte stops an end's own proof from being reflected back to it. A client
     * without the key echoes the acceptor's AUTH as its own: refused, and never offered for admission.
     */
    @Test
    void aPreSharedKeyProofReflectedBackToItsSenderIsRefused() throws IOException {
        RecordingNode p = start("p", TcpTransport.builder().maxFrameBytes(MAX).preSharedKey(KEY));
        NodeId x = NodeId.of("x");
        try (RawClient raw = new RawClient(p.transport.boundAddress())) {
            raw.write(RawClient.hello(Wire.FLAG_DIALER | Wire.FLAG_PSK, "x", MAX))
                    .skipServerHello();
            byte[] auth = raw.readRecord();
            assertThat(auth[0]).as("record type of p's proof").isEqualTo((byte) Wire.AUTH);
            assertThat(auth).hasSize(1 + Wire.MAC_BYTES);
            raw.write(RawClient.record(auth));
            assertThat(raw.readRecord()[0])
                    .as("p's verdict on its own proof (" + Wire.ACCEPT + " ACCEPT, " + Wire.REJECT + " REJECT)")
                    .isEqualTo((byte) Wire.REJECT);
            assertThat(raw.awaitClosedByServer()).as("closed by p").isTrue();
        }
        Await.until(
                TIMEOUT,
                () -> p.rejected("pre-shared key proof from x does not match this node's key"),
                () -> "p to refuse the reflected proof: " + p.rejections());
        assertThat(p.listener.lastProof(x)).as("x offered for admission").isNull();
        assertThat(p.listener.ups(x)).isZero();
    }

    /** docs/TCP.md, "Failures": a peer's REJECT reason is reported with its control characters shown as '?'. */
    @Test
    void controlCharactersInAPeersRejectReasonAreShownAsQuestionMarks() throws IOException {
        byte[] hello = RawClient.dialerHello("x", MAX);
        byte[] reason = "bad\nFAKE LOG\u001b line".getBytes(StandardCharsets.UTF_8);
        byte[] reject = ByteBuffer.allocate(2 + reason.length)
                .put((byte) Wire.REJECT)
                .put((byte) Wire.REJECT_ERROR)
                .put(reason)
                .array();
        byte[] bytes = ByteBuffer.allocate(hello.length + Wire.LENGTH_BYTES + reject.length)
                .put(hello)
                .put(RawClient.record(reject))
                .array();
        refusedWith(bytes, "refused by the peer: bad?FAKE LOG? line");
        assertThat(a.rejections())
                .extracting(RecordingListener.Rejection::reason)
                .allSatisfy(r -> assertThat(r.chars()).as(r).allMatch(c -> c >= 0x20));
    }

    @ParameterizedTest(name = "nativeEpoll {0}")
    @ValueSource(booleans = {true, false})
    void occupiedListenAddressFailsStartWithAClearException(boolean nativeEpoll) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            TcpTransport t = TcpTransport.builder()
                    .listen(address)
                    .nativeEpoll(nativeEpoll)
                    .build();
            assertThatThrownBy(() -> t.start(NodeId.of("z"), new RecordingNode.Silent()))
                    .isInstanceOf(AddressInUseException.class)
                    .hasMessage("address 127.0.0.1:" + taken.getLocalPort() + " already in use");
            t.close();
        }
    }

    @Test
    void oversizeSendThrowsAndUnknownPeerReturnsFalse() {
        assertThatThrownBy(() -> a.transport.send(B, ByteBuffer.allocate(MAX + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds maxFrameBytes " + MAX);
        assertThat(a.transport.send(NodeId.of("nobody"), ByteBuffer.allocate(1)))
                .isFalse();
    }

    /** Sends {@code bytes} from a raw client; a must close it and report a reason containing {@code reason}. */
    private void refusedWith(byte[] bytes, String reason) throws IOException {
        try (RawClient x = new RawClient(a.transport.boundAddress())) {
            x.write(bytes);
            assertThat(x.awaitClosedByServer()).as("closed by a").isTrue();
        }
        Await.until(TIMEOUT, () -> a.rejected(reason), () -> "a to report '" + reason + "': " + a.rejections());
        goodPeerStillWorks();
    }

    private void goodPeerStillWorks() {
        byte[] frame = ("probe " + probe++).getBytes(StandardCharsets.UTF_8);
        assertThat(b.transport.send(A, ByteBuffer.wrap(frame))).isTrue();
        Await.until(
                TIMEOUT,
                () -> a.listener.frames().stream().anyMatch(f -> Arrays.equals(f.bytes(), frame)),
                () -> "the good peer's frame at a");
        assertThat(a.listener.ups(B)).isEqualTo(1);
        assertThat(a.listener.downs(B)).isZero();
    }
}
