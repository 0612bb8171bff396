package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sender check as a unit: two link tables exchange real envelopes on their real subjects through their
 * handlers, and a third party (c, who may publish only under its own id, as the server enforces) tries to pass
 * itself off as a.
 */
class InboundHandlerTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final int MAX_FRAME = 1024;
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(3);

    private final Subjects subjects = new Subjects("t");
    private final Queue<Runnable> wire = new ArrayDeque<>();
    private final RecordingListener atA = new RecordingListener("a", MAX_FRAME);
    private final RecordingListener atB = new RecordingListener("b", MAX_FRAME);
    private final LinkTable a = new LinkTable(A, atA, this::helloFromA, TIMEOUT, new SplittableRandom(1));
    private final LinkTable b = new LinkTable(B, atB, this::helloFromB, TIMEOUT, new SplittableRandom(2));
    private final InboundHandler inA = new InboundHandler(subjects, A, MAX_FRAME, a, () -> 0);
    private final InboundHandler inB = new InboundHandler(subjects, B, MAX_FRAME, b, () -> 0);

    private void helloFromA(NodeId peer, long conn, long x, long y) {
        byte[] m = Envelope.control(Envelope.Kind.HELLO, A, conn, x, y);
        wire.add(() -> inB.handle(subjects.inbox(peer, A), m));
    }

    private void helloFromB(NodeId peer, long conn, long x, long y) {
        byte[] m = Envelope.control(Envelope.Kind.HELLO, B, conn, x, y);
        wire.add(() -> inA.handle(subjects.inbox(peer, B), m));
    }

    @AfterEach
    void listenerRulesHeld() {
        assertThat(atA.violations()).isEmpty();
        assertThat(atB.violations()).isEmpty();
    }

    @Test
    void genuineTrafficOnItsSendersSubjectsPasses() {
        long connA = connect(PeerProof.IDENTITY);

        assertThat(atB.isUp(A)).isTrue();
        assertThat(atB.lastProof(A)).isEqualTo(PeerProof.IDENTITY);
        inB.handle(subjects.inbox(B, A), frameFromA(a.route(B)));
        assertThat(atB.frames()).hasSize(1);
        assertThat(atB.frames().get(0).from()).isEqualTo(A);
        inB.handle(subjects.presence(A), Envelope.control(Envelope.Kind.ANNOUNCE, A, connA, 0, 0));
        assertThat(b.rejectedMessages()).isZero();
    }

    @Test
    void aFrameClaimingAnotherSenderOnTheForgersOwnSubjectIsRejectedAndTheNodeKeepsServing() {
        connect(PeerProof.IDENTITY);
        LinkTable.Route route = a.route(B); // the worst case: c knows a's current link ids exactly

        inB.handle(subjects.inbox(B, C), frameFromA(route));

        assertThat(atB.frames()).isEmpty();
        assertThat(b.rejectedMessages()).isEqualTo(1);
        assertThat(atB.rejections()).singleElement().satisfies(r -> {
            assertThat(r.remote()).isEqualTo("nats subject t.to.b.c");
            assertThat(r.reason()).startsWith("sender mismatch: the envelope claims a but the subject is c's");
        });
        assertThat(atB.isUp(A)).isTrue();
        inB.handle(subjects.inbox(B, A), frameFromA(route));
        assertThat(atB.frames()).as("a's own frame after the forgery").hasSize(1);
    }

    @Test
    void forgedPresenceCannotEndAnotherNodesLink() {
        long connA = connect(PeerProof.IDENTITY);

        inB.handle(subjects.presence(C), Envelope.control(Envelope.Kind.GOODBYE, A, connA, 0, 0));
        inB.handle(subjects.presence(C), Envelope.control(Envelope.Kind.ANNOUNCE, A, connA + 1, 0, 0));

        assertThat(atB.isUp(A))
                .as("a's link survives a goodbye and a new session in c's name")
                .isTrue();
        assertThat(b.rejectedMessages()).isEqualTo(2);
        assertThat(atB.rejections()).allSatisfy(r -> assertThat(r.reason()).startsWith("sender mismatch"));
    }

    @Test
    void identityChecksAndSubjectsNamingNoNodeAreRejectedWithTheirReason() {
        connect(PeerProof.MEMBERSHIP);

        inB.handle(subjects.identityCheck(7).get(0), "tether identity check by c".getBytes());
        inB.handle(subjects.inboxOf(B) + "a_x", Envelope.control(Envelope.Kind.HELLO, A, 1, 2, 3));
        inB.handle(subjects.inboxOf(A) + "c", Envelope.control(Envelope.Kind.HELLO, C, 1, 2, 3));

        assertThat(atB.rejections())
                .extracting(RecordingListener.Rejection::reason)
                .satisfiesExactly(
                        r -> assertThat(r).contains("does not enforce per-node permissions"),
                        r -> assertThat(r).contains("sender token 'a_x' is not a node id"),
                        r -> assertThat(r).isEqualTo("message on an unexpected subject"));
        assertThat(atB.isUp(A)).isTrue();
    }

    /** Brings a and b up, admitting peers with {@code proof}; returns a's connection session. */
    private long connect(PeerProof proof) {
        long connA = a.startSession(proof);
        b.startSession(proof);
        inB.handle(subjects.presence(A), Envelope.control(Envelope.Kind.ANNOUNCE, A, connA, 0, 0));
        for (Runnable r; (r = wire.poll()) != null; ) r.run();
        assertThat(atA.isUp(B)).isTrue();
        return connA;
    }

    private static byte[] frameFromA(LinkTable.Route route) {
        return Envelope.frame(
                A, route.connection(), route.myLink(), route.theirLink(), ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }
}
