package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StoreException;
import org.junit.jupiter.api.Test;

/**
 * {@link OutboundQueries#unacked}, the count send admission gives room back from (docs/MESSAGING.md, "Backpressure"): what a
 * stream holds from the send until its receiver took care of it, expired here, or the store refused it.
 */
class EngineUnackedTest {
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    @Test
    void countsSendsFromTheSendUntilTheyAreTakenCareOf() {
        EngineHarness h = new EngineHarness("a", "b");
        Engine a = h.node("a").engine;
        for (int i = 0; i < 5; i++) h.node("a").send(B, "l", "m" + i);
        assertThat(a.outbound().unacked(AB)).isEqualTo(5); // in a batch not committed yet
        h.run();
        assertThat(a.outbound().unacked(AB)).isEqualTo(5); // stored, b away
        h.node("a").send(B, "l", "short-lived", h.now + 10);
        h.run();
        assertThat(a.outbound().unacked(AB)).isEqualTo(6);
        h.advance(20); // expires here, never transmitted
        assertThat(a.outbound().unacked(AB)).isEqualTo(5);
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(a.outbound().unacked(AB)).isZero();
        assertThat(a.outbound().unacked(new StreamKey(B, "never-used"))).isZero();
    }

    @Test
    void sendsTheStoreRefusedAreNoLongerCounted() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a").store.failNextCommits(1);
        long lost = h.node("a").send(B, "l", "lost");
        assertThat(h.node("a").engine.outbound().unacked(AB)).isEqualTo(1);
        h.run();
        assertThat(h.node("a").rejected.get(lost)).isInstanceOf(StoreException.class);
        assertThat(h.node("a").engine.outbound().unacked(AB)).isZero();
    }
}
