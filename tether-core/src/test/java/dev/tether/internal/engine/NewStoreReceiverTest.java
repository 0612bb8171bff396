package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherEvent;
import org.junit.jupiter.api.Test;

/**
 * A receiver whose store was lost (docs/OPERATIONS.md, "A corrupt store": started again on a new, empty store)
 * gets again what its sender had not had acknowledged, and nothing the sender had.
 */
class NewStoreReceiverTest {
    private static final NodeId B = NodeId.of("b");

    @Test
    void aReceiverOnANewStoreGetsWhatItHadNotAcknowledged() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "acked" + i);
        h.run();
        h.disconnect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "pending" + i);
        h.run();

        h.node("b").wipe();
        h.node("b").delivered.clear();
        h.connect("a", "b");
        h.run();
        h.advance(2_000);

        assertThat(h.node("b").payloads()).containsExactly("pending0", "pending1", "pending2");
        assertThat(h.node("a").events).anyMatch(e -> e instanceof TetherEvent.Resync);
    }
}
