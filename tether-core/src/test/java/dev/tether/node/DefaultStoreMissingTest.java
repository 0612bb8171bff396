package dev.tether.node;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.transport.memory.InMemoryNetwork;
import org.junit.jupiter.api.Test;

/** tether-core alone has no default store: a configuration without one says what to add. */
class DefaultStoreMissingTest {
    @Test
    void withoutAStoreModuleTheBuilderNamesTheFix() {
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(new InMemoryNetwork().newTransport());
        assertThatThrownBy(b::build)
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("no store given")
                .hasMessageContaining("tether-store-sqlite");
    }
}
