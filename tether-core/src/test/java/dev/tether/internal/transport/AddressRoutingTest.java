package dev.tether.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddressRoutingTest {
    @Test
    void prefixedAddressesGoToTheirMemberOthersToEveryMember() {
        assertThat(AddressRouting.route(List.of("0@10.0.0.1:7001", "1@unix:/run/b.sock", "h:1"), 3))
                .containsExactly(List.of("10.0.0.1:7001", "h:1"), List.of("unix:/run/b.sock", "h:1"), List.of("h:1"));
    }

    @Test
    void aPrefixNamingNoMemberIsRefused() {
        assertThatThrownBy(() -> AddressRouting.route(List.of("0@a:1", "2@b:2"), 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("address 2@b:2 names member 2 but the composite transport has 2 (numbered from 0)");
    }
}
