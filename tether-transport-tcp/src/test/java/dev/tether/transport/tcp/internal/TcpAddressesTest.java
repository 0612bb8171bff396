package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Addresses given at runtime ({@code TetherNode.addPeer}) are kept as given, like the peers configured at start: a
 * host name stays unresolved and is resolved at each dial, so a peer whose address changes in DNS is still reached.
 * Only the syntax is checked when the address is given.
 */
class TcpAddressesTest {
    @Test
    void aHostNameIsKeptUnresolvedAndResolvedAtEachDial() {
        InetSocketAddress a = TcpAddresses.parse("localhost:7001");
        assertThat(a.isUnresolved()).isTrue();
        assertThat(a.getHostString()).isEqualTo("localhost");
        assertThat(a.getPort()).isEqualTo(7001);
        // A name that does not resolve now may later: refused only at a dial, as a start-time peer is.
        assertThat(TcpAddresses.parse("no-such-host.invalid:7001").isUnresolved())
                .isTrue();
    }

    @Test
    void anIpLiteralIsAnAddressAtOnce() {
        assertThat(TcpAddresses.parse("127.0.0.1:7001").isUnresolved()).isFalse();
        assertThat(TcpAddresses.parse("[::1]:7001").getAddress().getHostAddress())
                .isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void badSyntaxIsStillRefusedNamingTheAddress() {
        assertThatThrownBy(() -> TcpAddresses.parse("bad host:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid TCP address 'bad host:1': 'bad host' is neither an IP address nor a host name");
        assertThatThrownBy(() -> TcpAddresses.parse("h:0")).hasMessageContaining("port 0 is outside 1..65535");
        assertThatThrownBy(() -> TcpAddresses.parse("h")).hasMessageContaining("expected host:port");
    }
}
