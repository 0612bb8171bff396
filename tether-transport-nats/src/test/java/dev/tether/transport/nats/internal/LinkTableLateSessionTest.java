package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A late message of a peer's connection session that this node never heard while it was live (b attached
 * briefly to one server of a cluster, then moved on; its announcement there comes over a slow route after b's newer
 * session was heard) makes the table adopt the old session and retire the live one. From then on every message of
 * b's live session is ignored, so a and b never link again until b happens to reconnect: a permanent partition caused
 * by one delayed announcement. docs/NATS.md ("Cluster paths") says such late messages are fenced: sessions are
 * ordered, and one older than the session known is ignored (audit 7c, M1).
 */
class LinkTableLateSessionTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(3);
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(1);

    private final Queue<Runnable> wire = new ArrayDeque<>();
    private final RecordingListener atA = new RecordingListener("a", 1 << 20);
    private final RecordingListener atB = new RecordingListener("b", 1 << 20);
    private LinkTable a;
    private LinkTable b;
    private long now = 1_000;

    LinkTableLateSessionTest() {
        a = new LinkTable(
                A,
                atA,
                (peer, c, x, y) -> wire.add(() -> b.onHello(A, c, x, y, now)),
                TIMEOUT,
                new SplittableRandom(1));
        b = new LinkTable(
                B,
                atB,
                (peer, c, x, y) -> wire.add(() -> a.onHello(B, c, x, y, now)),
                TIMEOUT,
                new SplittableRandom(2));
    }

    @Test
    void aLateAnnouncementOfAnUnheardOlderSessionDoesNotPartitionThePeersForGood() {
        long connA = a.startSession();
        b.startSession();
        b.onAnnounce(A, connA, now);
        pump();
        assertThat(atA.isUp(B)).isTrue();

        long connB2 = b.startSession(); // b reconnects: a short-lived attachment whose messages a does not hear yet
        long connB3 = b.startSession(); // and again: its live session
        a.onAnnounce(B, connB3, now);
        pump();
        assertThat(atA.isUp(B)).as("linked again on b's live session").isTrue();

        a.onAnnounce(B, connB2, now); // the late announcement of connB2, over a slow cluster route
        pump();

        for (int i = 0; i < 20; i++) { // both keep announcing for 20 s
            now += INTERVAL;
            a.onAnnounce(B, connB3, now);
            b.onAnnounce(A, connA, now);
            pump();
            a.expire(now);
            b.expire(now);
        }
        assertThat(atA.isUp(B))
                .as("a up with b 20 s after one late announcement; a's history of b: " + atA.history(B))
                .isTrue();
        assertThat(atB.isUp(A)).as("b up with a: " + atB.history(A)).isTrue();
        LinkTable.Route ba = b.route(A);
        assertThat(a.onFrame(B, ba.connection(), ba.myLink(), ba.theirLink(), ByteBuffer.wrap(new byte[] {1}), now))
                .isTrue();
    }

    private void pump() {
        for (int i = 0; i < 100 && !wire.isEmpty(); i++) wire.poll().run();
    }
}
