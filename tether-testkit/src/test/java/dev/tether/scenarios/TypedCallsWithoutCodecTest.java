package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CodecException;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import org.junit.jupiter.api.Test;

/** No codec module on this class path: typed calls and handlers fail at once, naming the module to add. */
class TypedCallsWithoutCodecTest {
    @Test
    void typedCallsAndHandlersNameTheMissingModule() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");

            assertThatThrownBy(() -> b.handle("typed", String.class, (s, call) -> s))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("dev.tether:tether-codec-jackson")
                    .hasMessageContaining("TetherConfig.Builder.codec");
            assertThatThrownBy(() -> a.call(NodeId.of("b"), "typed").request("x", String.class))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("dev.tether:tether-codec-jackson");
            assertThatThrownBy(() -> a.handleAsync("typedAsync", String.class, (s, call) -> null))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("dev.tether:tether-codec-jackson");
            assertThatThrownBy(() -> a.call(NodeId.of("b"), "typed").tellValue("x"))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("dev.tether:tether-codec-jackson");
            assertThatThrownBy(() -> a.call(NodeId.of("b"), "typed").syncValue("x"))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("dev.tether:tether-codec-jackson");
            assertThat(a.stats().calls().callsSent()).isZero();
        }
    }
}
