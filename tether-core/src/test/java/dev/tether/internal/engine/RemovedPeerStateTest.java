package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * What the engine keeps per peer beyond its streams goes with {@code removePeer}: the peer's frame limit and its
 * acknowledgment arrays (sized to its busiest turn, about 40 bytes per stream acknowledged in it); and a peer's map of
 * lanes goes when its last stream does. Else they stay for every peer ever known, also while it is idle or removed.
 */
class RemovedPeerStateTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void aRemovedPeersFrameLimitAndAcknowledgmentArraysAreFreed() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").input(e -> e.onFrameLimit(B, 1_000));
        for (int i = 0; i < 20; i++) h.node("b").send(A, "l" + i, "m" + i); // a acknowledges 20 streams of b
        h.run();
        assertThat(h.node("a").payloads()).hasSize(20);
        FrameWriter frames = frames(h.node("a").engine);
        assertThat(frames.peersKept()).as("b's limit and acknowledgment arrays").isEqualTo(2);

        h.node("a").engine.removePeer(h.now, B);

        assertThat(frames.peersKept()).as("nothing of b once it is removed").isZero();
    }

    @Test
    void aPeersLaneMapGoesWithItsLastStream() {
        LaneIndex<String> index = new LaneIndex<>();
        StreamKey b1 = new StreamKey(B, "x");
        StreamKey b2 = new StreamKey(B, "y");
        index.put(b1, "1");
        index.put(b2, "2");
        index.put(new StreamKey(A, "x"), "3");
        index.remove(b1, "other"); // not that stream: kept
        index.remove(b1, "1");
        assertThat(index.peers()).isEqualTo(2);
        index.remove(b2, "2");
        assertThat(index.peers()).isEqualTo(1);
        assertThat(index.lanes(B)).isEmpty();
        assertThat(index.get(A, "x")).isEqualTo("3");
        index.put(b1, "4");
        assertThat(index.get(B, "x")).isEqualTo("4");
    }

    private static FrameWriter frames(Engine e) {
        try {
            Field f = Engine.class.getDeclaredField("frames");
            f.setAccessible(true);
            return (FrameWriter) f.get(e);
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }
}
