package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.testkit.RecordingListener;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session and fencing logic on its own: two tables wired through a queue, time passed by hand. */
class LinkTableTest extends LinkTablePair {

    @AfterEach
    void listenerRulesHeld() {
        assertThat(atA.violations()).isEmpty();
        assertThat(atB.violations()).isEmpty();
    }

    @Test
    void oneAnnouncementBringsBothSidesUpOnOneAgreedLink() {
        connectBoth();

        assertThat(atA.isUp(B)).isTrue();
        assertThat(atB.isUp(A)).isTrue();
        LinkTable.Route ab = a.route(B);
        LinkTable.Route ba = b.route(A);
        assertThat(ab.myLink()).isEqualTo(ba.theirLink()).isNotZero();
        assertThat(ab.theirLink()).isEqualTo(ba.myLink()).isNotZero();
        assertThat(a.linksOpened()).isEqualTo(1);
        assertThat(b.linksOpened()).isEqualTo(1);
    }

    @Test
    void framesOfTheCurrentLinkAreDeliveredOthersAreFenced() {
        connectBoth();
        LinkTable.Route ab = a.route(B);

        assertThat(frameToB(ab)).isTrue();
        assertThat(b.onFrame(A, ab.connection(), ab.myLink() + 1, ab.theirLink(), frame(), now))
                .isFalse();
        assertThat(b.onFrame(A, ab.connection(), ab.myLink(), ab.theirLink() + 1, frame(), now))
                .isFalse();
        assertThat(b.onFrame(A, ab.connection() + 1, ab.myLink(), ab.theirLink(), frame(), now))
                .isFalse();
        assertThat(b.onFrame(NodeId.of("stranger"), 1, 2, 3, frame(), now)).isFalse();
        assertThat(b.fencedFrames()).isEqualTo(4);
        assertThat(atB.frames()).hasSize(1);
    }

    @Test
    void senderReconnectEndsTheLinkAndFencesItsOldFrames() {
        connectBoth();
        LinkTable.Route old = a.route(B);

        a.endSession();
        assertThat(atA.isUp(B)).isFalse();
        long conn = a.startSession();
        b.onAnnounce(A, conn, now);
        assertThat(atB.isUp(A))
                .as("b ends the link when a's connection changes")
                .isFalse();
        pump();

        assertThat(atA.isUp(B)).isTrue();
        assertThat(atB.isUp(A)).isTrue();
        assertThat(atB.history(A)).containsExactly("up", "down", "up");
        assertThat(frameToB(old)).as("a frame of the earlier link").isFalse();
        assertThat(frameToB(a.route(B))).isTrue();
        assertThat(a.route(B).myLink()).isNotEqualTo(old.myLink());
    }

    @Test
    void receiverReconnectFencesFramesAddressedToItsOldLink() {
        connectBoth();
        LinkTable.Route old = a.route(B);

        b.endSession();
        long conn = b.startSession();
        assertThat(frameToB(old)).isFalse();
        a.onAnnounce(B, conn, now);
        pump();

        assertThat(atA.history(B)).containsExactly("up", "down", "up");
        assertThat(frameToB(old)).isFalse();
        assertThat(frameToB(a.route(B))).isTrue();
    }

    @Test
    void silentPeerTimesOutAndComesBackOnNewLinkIds() {
        long connA = connectBoth();
        LinkTable.Route old = a.route(B);

        now += TIMEOUT + 1;
        b.expire(now);
        assertThat(atB.isUp(A)).isFalse();
        assertThat(frameToB(old)).as("a frame sent before the timeout").isFalse();
        b.onAnnounce(A, connA, now);
        pump();

        assertThat(atB.isUp(A)).isTrue();
        assertThat(atA.history(B)).containsExactly("up", "down", "up");
        assertThat(frameToB(old)).isFalse();
        assertThat(b.route(A).myLink()).isNotEqualTo(old.theirLink());
    }

    @Test
    void goodbyeEndsTheLinkAndItsConnectionIsNeverAcceptedAgain() {
        long connA = connectBoth();

        b.onGoodbye(A, connA);
        assertThat(atB.isUp(A)).isFalse();
        b.onAnnounce(A, connA, now);
        pump();

        assertThat(atB.isUp(A))
                .as("a late announcement of the ended connection")
                .isFalse();
        assertThat(wire).isEmpty();
    }

    @Test
    void blockedPeerStaysDownUntilUnblocked() {
        long connA = connectBoth();

        b.block(A);
        b.onAnnounce(A, connA, now);
        pump();
        assertThat(atB.isUp(A)).isFalse();
        b.unblock(A);
        a.block(B);
        a.unblock(B);
        b.onAnnounce(A, connA, now);
        pump();

        assertThat(atB.history(A)).containsExactly("up", "down", "up");
        assertThat(atA.history(B)).containsExactly("up", "down", "up");
    }

    @Test
    void anotherNodeWithOurIdIsReportedOnce() {
        b.startSession();
        b.onAnnounce(B, 42, now);
        b.onAnnounce(B, 42, now);

        assertThat(atB.rejections())
                .singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("another connection announces"));
        assertThat(b.rejectedMessages()).isEqualTo(1);
    }

    @Test
    void peersAreAdmittedWithTheProofOfTheCurrentSession() {
        connectBoth();
        assertThat(atB.lastProof(A)).isEqualTo(PeerProof.MEMBERSHIP);
        assertThat(b.proof()).isEqualTo(PeerProof.MEMBERSHIP);

        b.endSession();
        long connB = b.startSession(PeerProof.IDENTITY);
        a.onAnnounce(B, connB, now);
        pump();

        assertThat(atB.isUp(A)).isTrue();
        assertThat(atB.lastProof(A)).isEqualTo(PeerProof.IDENTITY);
        assertThat(b.proof()).isEqualTo(PeerProof.IDENTITY);
    }

    @Test
    void permissionViolationsAreCountedAndReportedApartFromRejectedMessages() {
        b.permissionViolation("nats server nats://x:1", "refused publishing on t.presence.b");
        b.report("nats server nats://x:1", "identity check failed");

        assertThat(b.permissionViolations()).isEqualTo(1);
        assertThat(b.rejectedMessages()).isZero();
        assertThat(atB.rejections())
                .extracting(RecordingListener.Rejection::reason)
                .containsExactly("refused publishing on t.presence.b", "identity check failed");
    }

    @Test
    void nothingIsReportedAfterClose() {
        long connA = connectBoth();
        LinkTable.Route ab = a.route(B);

        b.close();
        atB.markClosed();
        b.onAnnounce(A, connA + 1, now);
        frameToB(ab);
        b.expire(now + 10 * TIMEOUT);
        b.rejected("x", "y");
        b.permissionViolation("x", "y");
        b.report("x", "y");
        assertThat(b.route(A)).isNull();
    }

    @Test
    void aRefusedPeerNeverComesUpTheRefusalIsReportedOnceAndAllowAsksAgain() {
        atB.refuse(A, "a is not welcome");
        long connA = a.startSession();
        long connB = b.startSession();
        for (int i = 0; i < 5; i++) {
            b.onAnnounce(A, connA, now);
            a.onAnnounce(B, connB, now);
            pump();
        }
        assertThat(atA.isUp(B)).isFalse();
        assertThat(atB.isUp(A)).isFalse();
        assertThat(atB.rejections())
                .singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("a is not welcome"));
        assertThat(b.rejectedMessages()).isEqualTo(1);

        atB.admitAgain(A);
        b.allow(A); // the node wants a now: b greets it at once, without waiting for an announcement
        pump();
        assertThat(atA.isUp(B)).isTrue();
        assertThat(atB.isUp(A)).isTrue();
    }

    @Test
    void dropEndsTheLinkOnBothSidesAndTheDroppedPeerComesBackOnlyIfAdmitted() {
        connectBoth();
        atB.refuse(A, "removed");
        b.drop(A);
        pump();
        assertThat(atB.isUp(A)).isFalse();
        assertThat(atA.isUp(B)).as("a learns it from b's new HELLO").isFalse();
        a.onAnnounce(B, b.connection(), now);
        b.onAnnounce(A, a.connection(), now);
        pump();
        assertThat(atA.isUp(B)).isFalse();
        assertThat(atB.rejections())
                .singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("removed"));

        atB.admitAgain(A);
        b.allow(A);
        pump();
        assertThat(atA.isUp(B)).isTrue();
        assertThat(atB.isUp(A)).isTrue();
    }

    @Test
    void presenceReportsPeersHeardAndLost() {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        b.attachPresence(new dev.tether.spi.Discovery.Listener() {
            @Override
            public void onDiscovered(NodeId member, java.util.List<String> addresses) {
                seen.add("discovered " + member + " " + addresses);
            }

            @Override
            public void onLost(NodeId member) {
                seen.add("lost " + member);
            }

            @Override
            public void onInvalid(NodeId source, String reason) {
                seen.add("invalid " + source);
            }
        });
        long connA = connectBoth();
        b.onAnnounce(A, connA, now);
        b.onGoodbye(A, connA);
        long connA2 = a.startSession();
        b.onAnnounce(A, connA2, now);
        now += 2 * TIMEOUT;
        b.expire(now);
        assertThat(seen).containsExactly("discovered a []", "lost a", "discovered a []", "lost a");
        b.attachPresence(null);
        b.onAnnounce(A, a.startSession(), now);
        assertThat(seen).hasSize(4);
    }

    private long connectBoth() {
        long connA = a.startSession();
        b.startSession();
        b.onAnnounce(A, connA, now);
        pump();
        return connA;
    }

    private boolean frameToB(LinkTable.Route ab) {
        return b.onFrame(A, ab.connection(), ab.myLink(), ab.theirLink(), frame(), now);
    }

    private void pump() {
        drainWire();
        assertThat(wire).as("the handshake ends").isEmpty();
    }

    private static ByteBuffer frame() {
        return ByteBuffer.wrap(new byte[] {1, 2, 3});
    }
}
