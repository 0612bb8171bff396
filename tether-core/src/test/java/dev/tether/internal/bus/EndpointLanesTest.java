package dev.tether.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.bus.Address;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoint lane and header mapping, for what a broken peer may send. */
class EndpointLanesTest {
    private static final NodeId B = NodeId.of("b");

    @Test
    void anInvalidOrReservedSendingAgentFromAPeerReadsAsTheNodeItself() {
        assertThat(EndpointLanes.sender(B, Map.of(":f", "alice"))).isEqualTo(Address.of(B, "alice"));
        for (String bad : new String[] {"bad.name", "", "_reserved", "x".repeat(33), "sp ace"}) {
            assertThat(EndpointLanes.sender(B, Map.of(":f", bad))).as(bad).isEqualTo(new Address(B, null));
        }
        assertThat(EndpointLanes.sender(B, Map.of())).isEqualTo(new Address(B, null));
    }
}
