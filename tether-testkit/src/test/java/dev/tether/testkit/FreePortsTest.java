package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void portsAreBelowTheEphemeralRangeDistinctAndBindable() throws IOException {
        int ephemeralLow = ephemeralLow();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            int port = FreePorts.loopback();
            assertThat(port).isBetween(10_000, (ephemeralLow > 11_024 ? ephemeralLow : 32_768) - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = FreePorts.loopback();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aPortSomeoneListensOnIsNeverHandedOut() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", FreePorts.loopback()));
            for (int i = 0; i < 500; i++) assertThat(FreePorts.loopback()).isNotEqualTo(taken.getLocalPort());
        }
    }

    private static int ephemeralLow() throws IOException {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (!Files.exists(range)) return 32_768;
        return Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]);
    }
}
