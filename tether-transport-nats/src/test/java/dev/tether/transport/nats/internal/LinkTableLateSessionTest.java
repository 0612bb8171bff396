package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A late message of a peer's connection session that this node never heard while it was live (b attached
 * briefly to one server of a cluster, then moved on; its announcement there comes over a slow route after b's newer
 * session was heard) makes the table adopt the old session and retire the live one. From then on every message of
 * b's live session is ignored, so a and b never link again until b happens to reconnect: a permanent partition caused
 * by one delayed announcement. docs/NATS.md ("Cluster paths") says such late messages are fenced: sessions are
 * ordered, and one older than the session known is ignored (audit 7c, M1).
 */
class LinkTableLateSessionTest extends LinkTablePair {

    @Test
    void aLateAnnouncementOfAnUnheardOlderSessionDoesNotPartitionThePeersForGood() {
        long connA = a.startSession();
        b.startSession();
        b.onAnnounce(A, connA, now);
        drainWire();
        assertThat(atA.isUp(B)).isTrue();

        long connB2 = b.startSession(); // b reconnects: a short-lived attachment whose messages a does not hear yet
        long connB3 = b.startSession(); // and again: its live session
        a.onAnnounce(B, connB3, now);
        drainWire();
        assertThat(atA.isUp(B)).as("linked again on b's live session").isTrue();

        a.onAnnounce(B, connB2, now); // the late announcement of connB2, over a slow cluster route
        drainWire();

        for (int i = 0; i < 20; i++) { // both keep announcing for 20 s
            now += INTERVAL;
            a.onAnnounce(B, connB3, now);
            b.onAnnounce(A, connA, now);
            drainWire();
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
}
