package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.testkit.Await;
import dev.tether.testkit.RecordingListener;
import dev.tether.transport.tcp.internal.TcpEndpoint;
import dev.tether.transport.uds.UdsTransport;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The socket buffer a Unix domain socket transport asks for ({@code UdsTransport.Builder.socketBufferBytes}): both
 * ends of a connection, the dialed one and the accepted one, get it, on native epoll (true) and on NIO (false); 0
 * leaves the kernel's default. Read back from the kernel, which on Linux doubles the request within {@code
 * net.core.wmem_max}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdsSocketBufferTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path tmp;

    private final List<UdsTransport> started = new ArrayList<>();
    private final List<RecordingListener> listeners = new ArrayList<>();

    @AfterEach
    void closeAll() {
        started.forEach(UdsTransport::close);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bothEndsGetTheDefaultBuffer(boolean nativeEpoll) throws IOException {
        int[] buffers = connect(nativeEpoll, null);
        long kept = 2L * Math.min(UdsTransport.DEFAULT_SOCKET_BUFFER_BYTES, sysctl("wmem_max"));
        int expected = reported(kept, nativeEpoll);
        assertThat(buffers).as("dialed end, accepted end").containsExactly(expected, expected);
        assertThat(kept).as("above the kernel's default").isGreaterThan(sysctl("wmem_default"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void zeroLeavesTheKernelDefault(boolean nativeEpoll) throws IOException {
        int[] buffers = connect(nativeEpoll, 0);
        int kernelDefault = reported(sysctl("wmem_default"), nativeEpoll);
        assertThat(buffers).as("dialed end, accepted end").containsExactly(kernelDefault, kernelDefault);
    }

    @Test
    void aNegativeSizeIsRefused() {
        assertThatThrownBy(() -> UdsTransport.builder().socketBufferBytes(-1))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("socketBufferBytes must not be negative: -1");
    }

    /** Connects a (dialing) to b (accepting); returns the send buffers of a's and b's end. */
    private int[] connect(boolean nativeEpoll, Integer bufferBytes) {
        UdsTransport a = start(A, nativeEpoll, bufferBytes, true);
        UdsTransport b = start(B, nativeEpoll, bufferBytes, false);
        RecordingListener la = listeners.get(0);
        RecordingListener lb = listeners.get(1);
        Await.until(TIMEOUT, () -> la.isUp(B) && lb.isUp(A), () -> "a and b up");
        assertThat(a.nativeEpoll()).isEqualTo(nativeEpoll && Epoll.isAvailable());
        return new int[] {endpoint(a).sendBufferBytes(B), endpoint(b).sendBufferBytes(A)};
    }

    /** The endpoint behind {@code t}: its accessor is the TCP package's, which UdsTransport does not inherit. */
    private static TcpEndpoint endpoint(SocketTransport t) {
        return t.endpoint();
    }

    private UdsTransport start(NodeId id, boolean nativeEpoll, Integer bufferBytes, boolean dials) {
        UdsTransport.Builder builder = UdsTransport.builder()
                .listen(tmp.resolve(id.value() + ".sock"))
                .nativeEpoll(nativeEpoll)
                .reconnect(Duration.ofMillis(20), Duration.ofMillis(300));
        if (dials) builder.peer(B, tmp.resolve(B.value() + ".sock"));
        if (bufferBytes != null) builder.socketBufferBytes(bufferBytes);
        UdsTransport t = builder.build();
        RecordingListener l = new RecordingListener(id.value(), t.maxFrameBytes());
        t.start(id, l);
        started.add(t);
        listeners.add(l);
        return t;
    }

    /**
     * What the channel reads back for a buffer the kernel keeps at {@code kept} bytes: Netty's native epoll reports the
     * kernel's figure, the JDK (NIO) half of it, undoing Linux's doubling so that it reads back what was asked.
     */
    private static int reported(long kept, boolean nativeEpoll) {
        return (int) (nativeEpoll && Epoll.isAvailable() ? kept : kept / 2);
    }

    /** A value of {@code /proc/sys/net/core}; the test needs Linux's. */
    private static long sysctl(String name) throws IOException {
        Path p = Path.of("/proc/sys/net/core", name);
        assumeTrue(Files.isReadable(p), "Linux's " + p);
        // a line, not Files.readString: the JDK reads a file of size 0 in pieces, and procfs answered the first
        // byte only
        return Long.parseLong(Files.readAllLines(p).get(0).trim());
    }
}
