package dev.tether.transport.uds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.testkit.Await;
import dev.tether.testkit.RecordingListener;
import dev.tether.transport.CompositeTransport;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A composite with a UDS member reaches a peer through an address routed to that member, written as docs/COMPOSITE.md
 * rule 9 shows it: {@code N@unix:/absolute/path}. The UDS member's own form is required after the prefix; a bare path
 * is that member's parse error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdsCompositeAddressTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path tmp;

    private final List<Runnable> closers = new ArrayList<>();
    private final List<RecordingListener> listeners = new ArrayList<>();

    @AfterEach
    void close() {
        for (Runnable c : closers) c.run();
        for (RecordingListener l : listeners) {
            l.markClosed();
            assertThat(l.violations()).isEmpty();
        }
    }

    @Test
    void aPeerIsReachedThroughTheUdsMemberAtAnAddressRoutedToIt() {
        Path bSock = tmp.resolve("b.sock");
        UdsTransport b = UdsTransport.builder().listen(bSock).build();
        RecordingListener atB = new RecordingListener("b", b.maxFrameBytes());
        b.start(B, atB);
        closers.add(b::close);
        listeners.add(atB);

        InMemoryNetwork memory = new InMemoryNetwork(); // b is not on it: only the UDS member can carry b
        CompositeTransport a = CompositeTransport.builder()
                .member(memory.newTransport())
                .member(UdsTransport.builder()
                        .listen(tmp.resolve("a.sock"))
                        .reconnect(Duration.ofMillis(20), Duration.ofMillis(300))
                        .build())
                .build();
        RecordingListener atA = new RecordingListener("a", a.maxFrameBytes());
        a.start(A, atA);
        closers.add(0, a::close);
        listeners.add(atA);

        assertThatThrownBy(() -> a.connect(B, List.of("1@" + bSock)))
                .as("a bare path is not the UDS member's address form")
                .isInstanceOf(IllegalArgumentException.class);
        a.connect(B, List.of("1@unix:" + bSock));
        Await.until(
                TIMEOUT,
                () -> atA.isUp(B) && a.currentMember(B) == 1,
                () -> "b up over the UDS member, now " + a.currentMember(B));
        assertThat(a.send(B, ByteBuffer.wrap(new byte[] {7}))).isTrue();
        Await.until(TIMEOUT, () -> atB.frames().size() == 1, () -> "the frame over the UDS member");
    }
}
