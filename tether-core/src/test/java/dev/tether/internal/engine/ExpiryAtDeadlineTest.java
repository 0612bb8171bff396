package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, time to live: the receiver never hands a message out at or after its deadline. The boundary
 * itself, with the engine and the harness's clock, at the check right before each hand-out within a run ({@link
 * InboundMessage#expiredAt}, which the harness applies as the runtime does): until now only the simulator's history
 * checker saw a message handed out exactly at its deadline.
 */
class ExpiryAtDeadlineTest {
    private static final NodeId B = NodeId.of("b");

    @Test
    void aMessageReachedWithinItsRunExactlyAtItsDeadlineIsSettledExpiredNotHandedOut() {
        EngineHarness h = new EngineHarness("a", "b");
        long deadline = h.now + 50;
        h.node("b").slow.put(1L, deadline - h.now); // m0's handling ends exactly at ttl's deadline
        h.node("a").send(B, "l", "m0");
        h.node("a").send(B, "l", "ttl", deadline);
        h.node("a").send(B, "l", "m2");
        h.run();
        h.connect("a", "b"); // all three arrive together: one run
        h.run();

        assertThat(h.node("b").payloads()).as("handed out").containsExactly("m0", "m2");
        assertThat(h.node("b").events).anyMatch(e -> e instanceof TetherEvent.Expired x && x.seq() == 2);
        assertThat(h.node("a").outcomes).containsExactly(Outcome.EXPIRED);
        assertThat(new InboundMessage(2, deadline, Map.of(), new byte[0], false, 1, 1).expiredAt(deadline - 1))
                .as("one millisecond before its deadline a message is still handed out")
                .isFalse();
    }
}
