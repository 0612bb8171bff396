package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Core NATS may lose any message (slow consumer, a route between cluster servers reconnecting). If the
 * third HELLO of the handshake is lost, b is up and a is not: a greets b again at every announcement with HELLO(a's
 * link, b's link), which b, being up with exactly those ids, ignores ("replies are sent only on a change"). Both keep
 * hearing each other, so no timeout ends it: a half-open link for good, b's frames fenced by a. The table must notice
 * the stall and start the handshake over, but only once it has lasted an announce interval (audit 7c, H1).
 */
class LinkTableLostHelloTest extends LinkTablePair {

    @Test
    void aLinkRecoversWhenOneHelloOfItsHandshakeIsLost() {
        long connA = a.startSession();
        long connB = b.startSession();
        b.onAnnounce(A, connA, now); // b greets a: HELLO 1
        wire.poll().run(); // HELLO 1 reaches a, a answers: HELLO 2
        wire.poll().run(); // HELLO 2 reaches b: b agrees, answers (HELLO 3) and is up
        assertThat(atB.isUp(A)).isTrue();
        wire.poll(); // HELLO 3 is lost on the way to a
        drainWire();

        for (int i = 0; i < 20; i++) { // both keep announcing for 20 s
            now += INTERVAL;
            a.onAnnounce(B, connB, now);
            b.onAnnounce(A, connA, now);
            drainWire();
            a.expire(now);
            b.expire(now);
        }
        assertThat(atA.isUp(B))
                .as("a up with b 20 s after the lost HELLO: " + atA.history(B))
                .isTrue();
        LinkTable.Route ba = b.route(A);
        assertThat(ba).as("b's route to a").isNotNull();
        assertThat(a.onFrame(B, ba.connection(), ba.myLink(), ba.theirLink(), ByteBuffer.wrap(new byte[] {1}), now))
                .as("b's frame delivered at a (fenced so far: " + a.fencedFrames() + ")")
                .isTrue();
    }

    @Test
    void anAnnouncementThatOvertakesTheAgreeingHelloDoesNotRestartTheHandshake() {
        long connA = a.startSession();
        b.startSession();
        b.onAnnounce(A, connA, now); // b greets a: HELLO 1
        wire.poll().run(); // HELLO 1 reaches a, a answers: HELLO 2
        wire.poll().run(); // HELLO 2 reaches b: b agrees, answers (HELLO 3) and is up
        Runnable hello3 = wire.poll();
        now += INTERVAL;
        a.onAnnounce(B, b.connection(), now); // b's announcement overtakes HELLO 3: a holds both ids, not up
        drainWire(); // a's repeated greeting, ignored by b
        hello3.run();
        drainWire();

        assertThat(atA.isUp(B)).as("a up with b").isTrue();
        assertThat(atB.history(A)).as("b's history of a: no restart").containsExactly("up");
        assertThat(a.linksOpened() + b.linksOpened()).isEqualTo(2);
    }
}
