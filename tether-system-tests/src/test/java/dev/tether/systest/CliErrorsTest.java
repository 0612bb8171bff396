package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Item 6: the CLI's errors with real processes: clear messages and exit codes, no hang. */
class CliErrorsTest {
    private final Path dir = Path.of("target", "system-tests", "cli-errors").toAbsolutePath();

    @Test
    void nodeOnAnOccupiedPortExitsNonZeroSayingSo() throws IOException {
        Files.createDirectories(dir);
        try (ServerSocket occupied = new ServerSocket()) {
            occupied.bind(new InetSocketAddress("127.0.0.1", 0));
            String address = "127.0.0.1:" + occupied.getLocalPort();
            Cli.Result r = Cli.run(
                    dir,
                    "cli-occupied",
                    "node",
                    "--id",
                    "a",
                    "--peer",
                    "b",
                    "--listen",
                    address,
                    "--store-dir",
                    Files.createTempDirectory(dir, "store").toString());
            System.out.println("occupied port: exit " + r.status() + "\n" + r.output());
            assertThat(r.status()).as(r.output()).isNotZero();
            assertThat(r.output()).contains("already in use").contains(address);
        }
    }

    @Test
    void sendToAnAdminEndpointNobodyListensOnExitsOneSayingSo() throws IOException {
        Files.createDirectories(dir);
        String admin = "127.0.0.1:" + Ports.free();
        Cli.Result r = Cli.run(dir, "cli-send-nobody", "send", "--admin", admin, "--to", "b", "hello");
        System.out.println("send to nobody: exit " + r.status() + "\n" + r.output());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output()).contains("cannot reach").contains(admin);
    }
}
