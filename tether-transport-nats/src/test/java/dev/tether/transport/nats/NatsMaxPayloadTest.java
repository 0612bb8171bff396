package dev.tether.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import dev.tether.testkit.RecordingListener;
import dev.tether.transport.nats.NatsTransportContractTest.NatsTransports;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real nats-server whose {@code max_payload} (4096) is below the transports' {@code maxFrameBytes} plus the
 * envelope (docs/NATS.md, "Limits"): each transport reports it through {@code onConnectionRejected} when it attaches,
 * a larger frame is refused and counted in {@code sendsFailed()}, and frames that fit still flow.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NatsMaxPayloadTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int MAX_PAYLOAD = 4096;
    private static final int MAX_FRAME = 64 * 1024;
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void aServerMaxPayloadBelowTheFrameLimitIsReportedAndLargerFramesFail() {
        try (NatsServerProcess server =
                        NatsServerProcess.builder().maxPayload(MAX_PAYLOAD).start();
                NatsTransport a = NatsTransports.fast(server.url())
                        .maxFrameBytes(MAX_FRAME)
                        .build();
                NatsTransport b = NatsTransports.fast(server.url())
                        .maxFrameBytes(MAX_FRAME)
                        .build()) {
            RecordingListener atA = new RecordingListener("a", MAX_FRAME);
            RecordingListener atB = new RecordingListener("b", MAX_FRAME);
            a.start(A, atA);
            b.start(B, atB);
            String reason = "server max_payload " + MAX_PAYLOAD + " is below maxFrameBytes " + MAX_FRAME;
            for (RecordingListener at : List.of(atA, atB)) {
                Await.until(DEADLINE, () -> at.rejected(reason), () -> "reported: " + at.rejections());
            }
            assertThat(atA.rejections())
                    .allSatisfy(r -> assertThat(r.remote()).isEqualTo("nats server " + server.url()));
            Await.until(DEADLINE, () -> atA.isUp(B) && atB.isUp(A), () -> "a and b up");

            long failedBefore = a.sendsFailed();
            assertThat(a.send(B, ByteBuffer.allocate(10_000)))
                    .as("a frame above max_payload")
                    .isFalse();
            assertThat(a.sendsFailed()).isEqualTo(failedBefore + 1);

            byte[] fits = new byte[1000];
            Arrays.fill(fits, (byte) 3);
            assertThat(a.send(B, ByteBuffer.wrap(fits))).isTrue();
            Await.until(
                    DEADLINE,
                    () -> atB.frames().stream().anyMatch(f -> Arrays.equals(f.bytes(), fits)),
                    () -> "the fitting frame at b");
            assertThat(atB.downs(A)).isZero();
        }
    }
}
