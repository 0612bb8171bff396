package dev.tether.testkit.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.fixtures.NatsCluster;
import dev.tether.fixtures.NatsServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The test servers themselves: ready when started, gone when killed, back on the same port, routed as a cluster. */
class NatsServerProcessTest {
    @Test
    void startKillRestartOnTheSamePort() throws IOException {
        NatsServerProcess server = NatsServerProcess.start();
        try {
            assertThat(server.url()).isEqualTo("nats://127.0.0.1:" + server.port());
            assertThat(greeting(server.port())).startsWith("INFO {");

            server.kill();
            assertThat(server.isRunning()).isFalse();
            assertThatThrownBy(() -> greeting(server.port())).isInstanceOf(IOException.class);

            server.restart();
            assertThat(server.isRunning()).isTrue();
            assertThat(greeting(server.port())).startsWith("INFO {");
            assertThat(Files.readString(server.logFile())).contains("Server is ready");
        } finally {
            server.close();
        }
        assertThat(server.isRunning()).isFalse();
        assertThat(server.logFile()).doesNotExist();
    }

    @Test
    void restartsWhenItsFormerMonitorPortWasTakenMeanwhile() throws IOException {
        try (NatsServerProcess server = NatsServerProcess.start()) {
            int before = server.monitorPort();
            assertThat(varz(before)).contains("\"server_id\"");
            server.kill();
            // Another build's process binds the port this server's monitor used: the restart must not fail on it.
            try (ServerSocket squatter = new ServerSocket()) {
                squatter.bind(new InetSocketAddress("127.0.0.1", before));
                server.restart();
                assertThat(server.monitorPort()).isNotEqualTo(before);
                assertThat(varz(server.monitorPort())).contains("\"server_id\"");
            }
        }
    }

    /**
     * The client port is chosen below the kernel's ephemeral range: the server's own monitor port (a bind to port
     * 0, made before the client port's) once got the just-released client port and the start failed.
     */
    @Test
    void clientPortsAreChosenWhereNoBindToPortZeroLands() throws IOException {
        String range = Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                .get(0);
        int ephemeralLow = Integer.parseInt(range.trim().split("\\s+")[0]);
        for (int i = 0; i < 3; i++) {
            try (NatsServerProcess server = NatsServerProcess.start()) {
                assertThat(server.port()).isLessThan(ephemeralLow);
                assertThat(server.monitorPort()).isNotEqualTo(server.port());
            }
        }
    }

    @Test
    void aPreparedServerStartsOnlyWhenAsked() throws IOException {
        try (NatsServerProcess server =
                NatsServerProcess.builder().jetStream().maxPayload(4096).build()) {
            assertThat(server.isRunning()).isFalse();
            assertThatThrownBy(() -> greeting(server.port())).isInstanceOf(IOException.class);

            server.restart();
            String info = greeting(server.port());
            assertThat(info).contains("\"max_payload\":4096").contains("\"jetstream\":true");
        }
    }

    @Test
    void clusterOfThreeIsRoutedAndSurvivesARestart() throws IOException {
        try (NatsCluster cluster = NatsCluster.start()) {
            assertThat(cluster.urls()).hasSize(3).doesNotHaveDuplicates();
            for (NatsServerProcess s : cluster.servers()) {
                assertThat(greeting(s.port())).contains("\"connect_urls\"");
            }
            cluster.server(1).kill();
            cluster.awaitRoutes();
            cluster.server(1).restart();
            cluster.awaitRoutes();
            assertThat(cluster.servers()).allMatch(NatsServerProcess::isRunning);
        }
    }

    @Test
    void missingExecutableFailsWithAnInstallHint() {
        String previous = System.setProperty("tether.nats.server", "/nonexistent/nats-server");
        try {
            assertThatThrownBy(NatsServerProcess::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("nats-server not found")
                    .hasMessageContaining("apt-get install nats-server");
        } finally {
            if (previous == null) System.clearProperty("tether.nats.server");
            else System.setProperty("tether.nats.server", previous);
        }
    }

    /** The first line a NATS server sends to a new client. */
    private static String greeting(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) line.append((char) c);
            return new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }
    }

    /** The monitor's {@code /varz} answer, over a plain socket (this test module does not read java.net.http). */
    private static String varz(int monitorPort) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", monitorPort), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /varz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
