package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.MessageDroppedException;
import dev.tether.NodeId;
import org.junit.jupiter.api.Test;

/**
 * DROP_OLDEST that takes a stream's last send waiting for a batch leaves nothing to write: no store batch is cut for
 * it (an engine whose writes were judged by its scheduler of streams, not by its count of waiting sends, cut empty
 * batches for ever, each commit ending a turn that cut the next one; audit 6b, finding 3).
 */
class DropLastWaitingSendTest {
    private static final NodeId B = NodeId.of("b");

    @Test
    void droppingTheLastWaitingSendLeavesNoBatchToCut() {
        EngineHarness h = new EngineHarness("a", "b");
        h.bursts = true; // the inputs of one turn, as the node loop runs a send command: no end of turn between
        long token = h.node("a").send(B, "l", "m0");
        boolean[] dropped = {false};
        h.node("a").input(e -> dropped[0] = e.dropOldest(h.now, new StreamKey(B, "l")));
        assertThat(dropped[0]).isTrue();

        assertThat(h.runBursts()).as("bursts to quiescence").isLessThan(10);

        assertThat(h.node("a").rejected.get(token)).isInstanceOf(MessageDroppedException.class);
        assertThat(h.node("a").batches).as("store batches cut").hasSizeLessThan(3);
    }

    @Test
    void aSendAfterTheDropIsStoredAndDelivered() {
        EngineHarness h = new EngineHarness("a", "b");
        h.bursts = true;
        long dropped = h.node("a").send(B, "l", "m0");
        h.node("a").input(e -> e.dropOldest(h.now, new StreamKey(B, "l")));
        h.runBursts();
        long kept = h.node("a").send(B, "l", "m1");
        h.runBursts();
        assertThat(h.node("a").rejected).containsOnlyKeys(dropped);
        assertThat(h.node("a").accepted).containsKey(kept);
    }
}
