package dev.tether.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import dev.tether.testkit.RecordingListener;
import dev.tether.transport.nats.NatsTransportContractTest.NatsTransports;
import dev.tether.transport.nats.internal.Envelope;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
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
    /** Frames of the nodes' transports: room for {@link NatsNodes#MAX_MESSAGE_BYTES}. */
    private static final int NODE_FRAME = 128 * 1024;

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
            int limit = MAX_PAYLOAD - Envelope.headerBytes(A);
            Await.until(DEADLINE, () -> atA.frameLimits().equals(List.of(limit)), () -> "limits: " + atA.frameLimits());
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

    /**
     * A message whose frame cannot fit the server's {@code max_payload} (but fits {@code maxFrameBytes}) is reported
     * unsendable at the sender and dead-lettered at the receiver; the messages after it on its stream still arrive.
     * Without the frame limit the transport reports, the sender retransmits the large frame forever and the stream
     * stops at it.
     */
    @Test
    void aMessageAboveTheServersMaxPayloadIsReportedUnsendableAndItsStreamGoesOn() {
        long seed = System.nanoTime();
        System.out.println("NatsMaxPayloadTest seed " + seed);
        byte[] large = new byte[10_000];
        new SplittableRandom(seed).nextBytes(large); // incompressible: compression would not make it fit
        try (NatsServerProcess server =
                        NatsServerProcess.builder().maxPayload(MAX_PAYLOAD).start();
                NatsNodes c = new NatsNodes("payload", "a", "b").transports(t -> t.maxFrameBytes(NODE_FRAME))) {
            TetherNode a = c.start("a", List.of(server.url()));
            c.start("b", List.of(server.url()));
            Await.until(DEADLINE, () -> c.connected("a", "b"), () -> "a and b connected");

            a.send(B, "x", large);
            for (int i = 0; i < 5; i++) a.send(B, "x", NatsNodes.utf8("after" + i));
            Await.until(DEADLINE, () -> c.payloads("b", "a", "x").size() >= 5, () -> "b saw " + c.seen("b"));

            assertThat(c.payloads("b", "a", "x")).containsExactlyElementsOf(NatsNodes.numbered("after", 0, 5));
            int limit = MAX_PAYLOAD - Envelope.headerBytes(A);
            assertThat(c.events("a"))
                    .filteredOn(TetherEvent.UnsendableMessage.class::isInstance)
                    .singleElement()
                    .satisfies(e -> {
                        TetherEvent.UnsendableMessage u = (TetherEvent.UnsendableMessage) e;
                        assertThat(u.to()).isEqualTo(B);
                        assertThat(u.lane()).isEqualTo("x");
                        assertThat(u.seq()).isEqualTo(1);
                        assertThat(u.reason())
                                .contains("does not fit a DATA frame of " + limit + " bytes")
                                .contains("the transport's current frame limit");
                    });
            assertThat(a.stats().unsendableMessages()).isEqualTo(1);
            Await.until(
                    DEADLINE,
                    () -> c.events("b").stream().anyMatch(TetherEvent.DeadLettered.class::isInstance),
                    () -> "the stand-in dead-lettered at b: " + c.events("b"));
        }
    }
}
