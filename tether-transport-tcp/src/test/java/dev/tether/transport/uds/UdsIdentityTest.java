package dev.tether.transport.uds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.TetherException;
import dev.tether.spi.PeerProof;
import dev.tether.testkit.Await;
import dev.tether.testkit.RecordingListener;
import dev.tether.transport.tcp.AddressInUseException;
import dev.tether.transport.tcp.internal.Hello;
import dev.tether.transport.tcp.internal.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who may connect over a Unix domain socket, and the socket file's life: its mode and directory, the peer credential
 * check (a process of a uid that is not allowed is refused, with the reason, at either end), the pre-shared key on
 * top, stale sockets, paths that are not sockets, sockets in use, and paths the platform cannot bind. Each test that
 * depends on the socket implementation runs on native epoll (true) and on the JDK's NIO (false).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdsIdentityTest {
    @TempDir
    Path tmp;

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final List<Started> started = new ArrayList<>();

    private record Started(NodeId id, UdsTransport transport, RecordingListener listener) {}

    @AfterEach
    void closeAll() {
        for (Started s : started) {
            s.transport().close();
            s.listener().markClosed();
        }
        for (Started s : started)
            assertThat(s.listener().violations()).as("rules at " + s.id()).isEmpty();
    }

    private Started start(NodeId id, UdsTransport.Builder builder) {
        UdsTransport t =
                builder.reconnect(Duration.ofMillis(20), Duration.ofMillis(300)).build();
        RecordingListener l = new RecordingListener(id.value(), t.maxFrameBytes());
        t.start(id, l);
        Started s = new Started(id, t, l);
        started.add(s);
        return s;
    }

    private Path sock(String name) {
        return tmp.resolve(name + ".sock");
    }

    private int ownUid() throws IOException {
        return (Integer) Files.getAttribute(tmp, "unix:uid");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theSocketFileIsOwnerOnlyInADirectoryCreatedPrivateAndRemovedOnClose(boolean epoll) throws IOException {
        Path socket = tmp.resolve("run/tether/a.sock");
        Started a = start(A, UdsTransport.builder().nativeEpoll(epoll).listen(socket));

        assertThat(a.transport().nativeEpoll()).isEqualTo(epoll);
        int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertThat(mode & 0170000).as("a socket").isEqualTo(0140000);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx------");
        assertThat(a.transport().address()).isEqualTo("unix:" + socket);

        a.transport().close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void groupAccessMakesTheSocketFileGroupReadableAndWritableInADirectoryTheGroupMayTraverse() throws IOException {
        start(A, UdsTransport.builder().listen(sock("a")).groupAccess(true));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock("a"))))
                .isEqualTo("rw-rw----");
        // A directory the transport creates (and its missing parents) lets the group reach the socket, not list it.
        Path socket = tmp.resolve("grouprun/tether/b.sock");
        start(B, UdsTransport.builder().listen(socket).groupAccess(true));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                .isEqualTo("rw-rw----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx--x---");
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(socket.getParent().getParent())))
                .isEqualTo("rwx--x---");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void processesOfTheNodesOwnUserAreAdmittedAsMembers(boolean epoll) {
        Started a = start(A, UdsTransport.builder().nativeEpoll(epoll).listen(sock("a")));
        Started b = start(
                B, UdsTransport.builder().nativeEpoll(epoll).listen(sock("b")).peer(A, sock("a")));

        Await.until(TIMEOUT, () -> a.listener().isUp(B) && b.listener().isUp(A), () -> "a and b up");
        assertThat(a.listener().lastProof(B)).isEqualTo(PeerProof.MEMBERSHIP);
        assertThat(b.listener().lastProof(A)).isEqualTo(PeerProof.MEMBERSHIP);
        assertThat(b.transport().send(A, ByteBuffer.wrap(new byte[] {7}))).isTrue();
        Await.until(TIMEOUT, () -> !a.listener().frames().isEmpty(), () -> "frame at a");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aDialingProcessOfAUidThatIsNotAllowedIsRefusedWithTheReason(boolean epoll) throws IOException {
        int other = ownUid() + 1;
        Started a = start(
                A, UdsTransport.builder().nativeEpoll(epoll).listen(sock("a")).allowedUids(Set.of(other)));
        Started b = start(
                B, UdsTransport.builder().nativeEpoll(epoll).listen(sock("b")).peer(A, sock("a")));

        String reason = "which is not among the allowed uids [" + other + "]";
        Await.until(
                TIMEOUT,
                () -> a.listener().rejected(reason),
                () -> "a refuses b: " + a.listener().rejections());
        assertThat(a.listener().rejected(epoll ? "runs as uid " + ownUid() : "runs as user "))
                .isTrue();
        Await.until(
                TIMEOUT,
                () -> b.listener().rejected("refused by the peer: ")
                        && b.listener().rejected(reason),
                () -> "b told why: " + b.listener().rejections());
        assertThat(a.listener().admissionRequests(B))
                .as("refused before admission")
                .isZero();
        assertThat(a.listener().isUp(B) || b.listener().isUp(A)).isFalse();
        assertThat(a.transport().rejectedConnections()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aListeningProcessOfAUidThatIsNotAllowedIsRefusedByTheDialer(boolean epoll) throws IOException {
        int other = ownUid() + 1;
        Started a = start(A, UdsTransport.builder().nativeEpoll(epoll).listen(sock("a")));
        Started b = start(
                B,
                UdsTransport.builder()
                        .nativeEpoll(epoll)
                        .listen(sock("b"))
                        .allowedUids(Set.of(other))
                        .peer(A, sock("a")));

        String reason = "which is not among the allowed uids [" + other + "]";
        Await.until(
                TIMEOUT,
                () -> b.listener().rejected(reason),
                () -> "b refuses a: " + b.listener().rejections());
        Await.until(
                TIMEOUT,
                () -> a.listener().rejected("refused by the peer: "),
                () -> "a told: " + a.listener().rejections());
        assertThat(a.listener().isUp(B) || b.listener().isUp(A)).isFalse();
    }

    @Test
    void aPreSharedKeyIsCheckedOnTopOfTheCredentials() {
        byte[] key = "sixteen byte key".getBytes(StandardCharsets.US_ASCII);
        byte[] other = "another cluster!".getBytes(StandardCharsets.US_ASCII);
        Started a = start(A, UdsTransport.builder().listen(sock("a")).preSharedKey(key));
        Started wrong = start(
                B, UdsTransport.builder().listen(sock("b")).preSharedKey(other).peer(A, sock("a")));

        Await.until(
                TIMEOUT,
                () -> a.listener().rejected("pre-shared key proof from b does not match"),
                () -> "wrong key refused: " + a.listener().rejections());
        assertThat(a.listener().isUp(B)).isFalse();
        wrong.transport().close();

        Started right = start(
                B, UdsTransport.builder().listen(sock("b2")).preSharedKey(key).peer(A, sock("a")));
        Await.until(TIMEOUT, () -> a.listener().isUp(B) && right.listener().isUp(A), () -> "same key up");
        assertThat(a.listener().lastProof(B)).isEqualTo(PeerProof.MEMBERSHIP);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aStaleSocketLeftByADeadProcessIsReplaced(boolean epoll) throws IOException {
        Path socket = sock("a");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket)); // closing leaves the file, as a killed process does
        }
        assertThat(socket).exists();

        Started a = start(A, UdsTransport.builder().nativeEpoll(epoll).listen(socket));
        Started b = start(
                B, UdsTransport.builder().nativeEpoll(epoll).listen(sock("b")).peer(A, socket));
        Await.until(TIMEOUT, () -> a.listener().isUp(B) && b.listener().isUp(A), () -> "up through the new socket");
    }

    @Test
    void aPathThatIsNotASocketIsRefusedAndLeftAlone() throws IOException {
        Path file = sock("a");
        Files.writeString(file, "precious");
        UdsTransport t = UdsTransport.builder().listen(file).build();

        assertThatThrownBy(() -> t.start(A, new RecordingListener("a", t.maxFrameBytes())))
                .isInstanceOf(TetherException.class)
                .isNotInstanceOf(AddressInUseException.class)
                .hasMessageContaining("refusing to listen on unix:" + file)
                .hasMessageContaining("exists and is not a socket");
        t.close();
        assertThat(Files.readString(file)).isEqualTo("precious");
    }

    @Test
    void aDirectoryThatIsAFileIsRefused() throws IOException {
        Files.writeString(tmp.resolve("notadir"), "x");
        UdsTransport t =
                UdsTransport.builder().listen(tmp.resolve("notadir/a.sock")).build();
        assertThatThrownBy(() -> t.start(A, new RecordingListener("a", t.maxFrameBytes())))
                .isInstanceOf(TetherException.class)
                .hasMessageContaining("is not a directory");
        t.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSocketAnotherNodeListensOnIsInUseAndKeepsWorking(boolean epoll) {
        Started a = start(A, UdsTransport.builder().nativeEpoll(epoll).listen(sock("a")));
        UdsTransport second = UdsTransport.builder().listen(sock("a")).build();

        assertThatThrownBy(() -> second.start(NodeId.of("c"), new RecordingListener("c", second.maxFrameBytes())))
                .isInstanceOf(AddressInUseException.class)
                .hasMessage("unix:" + sock("a") + " already in use: another process listens on it");
        second.close();
        assertThat(sock("a")).as("the other node's socket is left alone").exists();

        Started b = start(
                B, UdsTransport.builder().nativeEpoll(epoll).listen(sock("b")).peer(A, sock("a")));
        Await.until(TIMEOUT, () -> a.listener().isUp(B) && b.listener().isUp(A), () -> "a still serves");
    }

    @Test
    void pathsThePlatformCannotBindAreRefusedWhenConfigured() {
        Path tooLong = Path.of("/tmp/" + "x".repeat(UdsTransport.MAX_PATH_BYTES - 4));
        assertThatThrownBy(() -> UdsTransport.builder().listen(tooLong))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("is " + (UdsTransport.MAX_PATH_BYTES + 1) + " bytes long")
                .hasMessageContaining("limit of 106 bytes (sun_path)");
        assertThatThrownBy(() -> UdsTransport.builder().peer(B, tooLong)).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> UdsTransport.builder().listen(Path.of("")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> UdsTransport.builder().build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("listen(Path)");
        assertThatThrownBy(() -> UdsTransport.builder().allowedUids(Set.of(-1)))
                .isInstanceOf(InvalidConfigException.class);
        Path longest = Path.of("/tmp/" + "x".repeat(UdsTransport.MAX_PATH_BYTES - 5));
        assertThat(UdsTransport.builder().listen(longest).build().socketPath()).isEqualTo(longest);
    }

    @Test
    void badAddressesAreRefusedByConnectAndChangeNothing() {
        Started a = start(A, UdsTransport.builder().listen(sock("a")));
        Started b = start(B, UdsTransport.builder().listen(sock("b")));
        String good = "unix:" + sock("a");
        for (String bad : List.of(
                "127.0.0.1:7001", "unix:relative/a.sock", "unix:", "unix:/" + "y".repeat(200), "/no/prefix.sock")) {
            assertThatThrownBy(() -> b.transport().connect(A, List.of(good, bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid Unix domain socket address");
        }
        assertThat(b.listener().isUp(A)).as("nothing was dialed").isFalse();
        b.transport().connect(A, List.of(good));
        Await.until(TIMEOUT, () -> a.listener().isUp(B) && b.listener().isUp(A), () -> "up at the good address");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anOversizeRecordIsRefusedFromItsLengthPrefixAndTheNodeKeepsServing(boolean epoll) throws IOException {
        Started a = start(A, UdsTransport.builder().nativeEpoll(epoll).listen(sock("a")));
        ByteBuf hello = Wire.preambleAndHello(
                UnpooledByteBufAllocator.DEFAULT, new Hello(Wire.FLAG_DIALER, 1024, new byte[Wire.NONCE_BYTES], "x"));
        byte[] preamble;
        try {
            preamble = ByteBufUtil.getBytes(hello, 0, Wire.PREAMBLE_BYTES);
        } finally {
            hello.release();
        }
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(sock("a")))) {
            raw.write(ByteBuffer.allocate(Wire.PREAMBLE_BYTES + 4)
                    .put(preamble)
                    .putInt(Integer.MAX_VALUE)
                    .flip());
            Await.until(
                    TIMEOUT,
                    () -> a.listener().rejected("handshake record of 2147483647 bytes announced"),
                    () -> "refused: " + a.listener().rejections());
        }
        Started b = start(
                B, UdsTransport.builder().nativeEpoll(epoll).listen(sock("b")).peer(A, sock("a")));
        Await.until(TIMEOUT, () -> a.listener().isUp(B) && b.listener().isUp(A), () -> "a still serves");
    }
}
