package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.discovery.StaticDiscovery;
import dev.tether.spi.Discovery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The discovery contract for a fixed member list (the same list, naming every node, given to each). */
class StaticDiscoveryTest extends DiscoveryContract {
    @Override
    protected Fixture newFixture() {
        return new Fixture() {
            private final Map<NodeId, List<String>> members = Collections.synchronizedMap(new LinkedHashMap<>());

            @Override
            public List<String> addMember(NodeId member) {
                List<String> at = List.of("10.0.0." + (members.size() + 1) + ":7001", member + ".example:7001");
                members.put(member, at);
                return at;
            }

            @Override
            public Discovery discovery(NodeId self) {
                Map<NodeId, List<String>> all = new LinkedHashMap<>(members);
                all.put(self, List.of("127.0.0.1:7001")); // every node gets the same list, itself included
                return StaticDiscovery.of(all);
            }

            @Override
            public boolean reportsLateMembers() {
                return false;
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void invalidEntriesAreRefusedWhenTheListIsBuilt() {
        List<String> nine = new ArrayList<>();
        for (int i = 0; i < 9; i++) nine.add("10.0.0.1:" + (7000 + i));
        assertThatThrownBy(() -> StaticDiscovery.builder().member(NodeId.of("x"), nine))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("9 addresses, at most 8");
        assertThatThrownBy(() -> StaticDiscovery.builder().member(NodeId.of("x"), " "))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("invalid address");
        assertThatThrownBy(() -> StaticDiscovery.builder().member(NodeId.of("x"), "h".repeat(256)))
                .isInstanceOf(InvalidConfigException.class);
    }
}
