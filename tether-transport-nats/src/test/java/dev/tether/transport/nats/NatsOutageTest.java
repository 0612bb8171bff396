package dev.tether.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import dev.tether.testkit.Pacer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The server is SIGKILLed while two transports stream frames both ways, and restarted on the same port: both
 * sides see the peer go down and come back up by themselves, and no frame sent before the outage is delivered
 * after it (transport rule 4), even though jnats reconnects under the hood. A tap connection also records a frame
 * of the first link and publishes it again after the reconnect, as a slow route between cluster servers could
 * deliver it late: the receiver fences it.
 */
class NatsOutageTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final byte BEFORE = 0;
    private static final byte AFTER = 1;
    /** The kind byte of a FRAME envelope (docs/NATS.md). */
    private static final byte FRAME_KIND = 1;

    @Test
    void killedServerTakesPeersDownAndNoOldFrameCrossesTheOutage() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.start()) {
            for (int round = 1; round <= 3; round++) {
                outage(server, "outage" + round);
            }
        }
    }

    private void outage(NatsServerProcess server, String prefix) throws Exception {
        NatsTransport a = NatsTransportContractTest.NatsTransports.fast(server.url())
                .prefix(prefix)
                .build();
        NatsTransport b = NatsTransportContractTest.NatsTransports.fast(server.url())
                .prefix(prefix)
                .build();
        TaggedListener atA = new TaggedListener("a", a.maxFrameBytes());
        TaggedListener atB = new TaggedListener("b", b.maxFrameBytes());
        AtomicReference<byte[]> oldEnvelope = new AtomicReference<>();
        Connection tap = Nats.connect(
                Options.builder().server(server.url()).maxReconnects(-1).build());
        try {
            String inboxOfB = prefix + ".to.b.a"; // what a publishes to b
            tap.createDispatcher(m -> {
                        if (m.getData()[3] == FRAME_KIND) oldEnvelope.compareAndSet(null, m.getData());
                    })
                    .subscribe(inboxOfB);
            tap.flush(DEADLINE);
            a.start(A, atA);
            b.start(B, atB);
            awaitUp(atA, B);
            awaitUp(atB, A);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong accepted = new AtomicLong();
            Thread ab = stream(a, B, BEFORE, stop, accepted);
            Thread ba = stream(b, A, BEFORE, stop, accepted);
            Await.until(
                    DEADLINE,
                    () -> accepted.get() > 20_000
                            && atB.log().contains("frame a " + BEFORE)
                            && atA.log().contains("frame b " + BEFORE),
                    () -> "frames flowing both ways before the kill");
            Await.until(DEADLINE, () -> oldEnvelope.get() != null, () -> "a frame recorded by the tap");
            tap.close(); // its job is done; it need not live through the outage
            server.kill();
            Await.until(DEADLINE, () -> !atA.isUp(B) && !atB.isUp(A), () -> "both sides to see the peer down");
            stop.set(true);
            ab.join();
            ba.join();

            server.restart();
            awaitUp(atA, B);
            awaitUp(atB, A);
            for (int i = 0; i < 100; i++) {
                a.send(B, ByteBuffer.wrap(new byte[] {AFTER, (byte) i}));
                b.send(A, ByteBuffer.wrap(new byte[] {AFTER, (byte) i}));
            }
            Await.until(
                    DEADLINE,
                    () -> atB.log().contains("frame a " + AFTER) && atA.log().contains("frame b " + AFTER),
                    () -> "frames sent after the outage");

            long fencedBefore = b.fencedFrames();
            assertThat(oldEnvelope.get())
                    .as("a recorded frame of the first link")
                    .isNotNull();
            Connection replay =
                    Nats.connect(Options.builder().server(server.url()).build());
            try {
                replay.publish(inboxOfB, oldEnvelope.get());
                replay.flush(DEADLINE);
            } finally {
                replay.close();
            }
            a.send(B, ByteBuffer.wrap(new byte[] {AFTER, 2}));
            Await.until(
                    DEADLINE,
                    () -> b.fencedFrames() > fencedBefore || oldFrameAfterReconnect(atB.log(), A),
                    () -> "the late old frame to be fenced or delivered");

            checkNoOldFrameAfterReconnect(atB.log(), A);
            checkNoOldFrameAfterReconnect(atA.log(), B);
            assertThat(atA.ups(B)).isEqualTo(2);
            assertThat(atB.ups(A)).isEqualTo(2);
            assertThat(a.sessions()).isEqualTo(2);
        } finally {
            tap.close();
            a.close();
            b.close();
            atA.markClosed();
            atB.markClosed();
        }
        assertThat(atA.violations()).isEmpty();
        assertThat(atB.violations()).isEmpty();
    }

    private static boolean oldFrameAfterReconnect(List<String> log, NodeId peer) {
        int secondUp = log.lastIndexOf("up " + peer);
        return log.subList(secondUp, log.size()).contains("frame " + peer + " " + BEFORE);
    }

    /** Frames tagged BEFORE may arrive only before the peer's second up. */
    private static void checkNoOldFrameAfterReconnect(List<String> log, NodeId peer) {
        int secondUp = log.lastIndexOf("up " + peer);
        assertThat(log.indexOf("up " + peer)).isLessThan(secondUp);
        assertThat(log.subList(0, secondUp)).contains("frame " + peer + " " + BEFORE, "down " + peer);
        assertThat(log.subList(secondUp, log.size()))
                .as("events after the reconnect")
                .doesNotContain("frame " + peer + " " + BEFORE)
                .contains("frame " + peer + " " + AFTER);
    }

    private static Thread stream(NatsTransport t, NodeId to, byte tag, AtomicBoolean stop, AtomicLong accepted) {
        Thread thread = new Thread(
                () -> {
                    ByteBuffer frame = ByteBuffer.allocate(100);
                    frame.put(0, tag);
                    Pacer whileDown = Pacer.every(Duration.ofNanos(100_000)); // peer down: do not burn a core
                    while (!stop.get()) {
                        if (t.send(to, frame.duplicate())) accepted.incrementAndGet();
                        else whileDown.awaitNext();
                    }
                },
                "stream-to-" + to);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void awaitUp(TaggedListener l, NodeId peer) {
        Await.until(DEADLINE, () -> l.isUp(peer), () -> "up of " + peer);
    }
}
