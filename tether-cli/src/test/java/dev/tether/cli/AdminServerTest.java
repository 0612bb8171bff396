package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Delivery;
import dev.tether.TetherNode;
import dev.tether.fixtures.FreePorts;
import dev.tether.node.Tether;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code tether send}, {@code tether stats} and {@code tether peers} against a real admin endpoint of a running node. */
class AdminServerTest {
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<String> seenByB = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private TetherNode a;
    private TetherNode b;
    private AdminServer admin;
    private String address;

    @BeforeEach
    void start() throws Exception {
        a = node("a", "b", d -> {});
        b = node("b", "a", d -> seenByB.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)));
        admin = AdminServer.start(InetSocketAddress.createUnresolved("127.0.0.1", 0), a, 1 << 20);
        address = HostPort.format(admin.address());
    }

    @AfterEach
    void stop() {
        admin.close();
        a.close();
        b.close();
    }

    private TetherNode node(String id, String peer, dev.tether.MessageHandler handler) {
        return Tether.start(
                MemoryNodes.builder(network, id, peer).handler(handler).build());
    }

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void sendWaitsForProcessingAndPrintsEachMessage() {
        int rc = run("send", "--admin", address, "--to", "b", "--wait", "processed", "hello", "wörld");
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("b/default#1 processed", "b/default#2 processed");
        assertThat(seenByB).containsExactly("hello", "wörld");
    }

    @Test
    void jsonOutputAndLanesAndStats() {
        assertThat(run("send", "--admin", address, "--to", "b", "--lane", "orders", "--json", "x"))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("{\"message\":1,\"result\":\"ok\",\"to\":\"b\",\"lane\":\"orders\",\"seq\":1,"
                        + "\"outcome\":\"ACCEPTED\"}");
        assertThat(run("stats", "--admin", address, "--json")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("\"node\":\"a\"", "\"lane\":\"orders\"")
                .contains("\"deadLetters\":{\"count\":0,\"bytes\":0,\"oldestAtMillis\":0,\"evicted\":0,\"expired\":0,"
                        + "\"refused\":0,\"blockedStreams\":0,\"maxCount\":100000,\"maxBytes\":268435456,"
                        + "\"maxAgeMillis\":2592000000,\"whenFull\":\"DROP_OLDEST\"}");
        assertThat(run("stats", "--admin", address)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("node a (epoch", "out  b")
                .contains("dead letters 0 of 100000, 0 of 268435456 bytes, max age PT720H, when full DROP_OLDEST;"
                        + " evicted 0, expired 0, refused 0, streams blocked 0");
    }

    @Test
    void peersListsTheConfiguredPeerWithItsStateAndSaysWhenTheNodeIsClosing() {
        assertThat(run("send", "--admin", address, "--to", "b", "--wait", "processed", "x"))
                .isZero();
        out.reset();
        assertThat(run("peers", "--admin", address, "--json"))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .matches("\\{\"node\":\"a\",\"peers\":\\[\\{\"id\":\"b\",\"origin\":\"CONFIGURED\","
                        + "\"addresses\":\\[],\"connected\":true,\"lastSeen\":\"[0-9T:.Z-]+\","
                        + "\"roundTripMs\":(null|\\d+),\"roundTripMicros\":(null|\\d+),\"unacknowledged\":0,"
                        + "\"handlers\":\\[],\"channels\":\\[]}]}\n");
        out.reset();
        assertThat(run("peers", "--admin", address)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith(
                        "node a: 1 peer\n  id    origin      connected  last seen    rtt          unacked  addresses\n")
                .containsPattern("\n  b     CONFIGURED  yes        \\d+\\.\\d s ago +(-|\\d+\\.\\d{3} ms) +0  -\n");

        a.close();
        assertThat(run("peers", "--admin", address)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("HTTP 503: the node is shutting down");
    }

    @Test
    void badRequestsGetSpecificErrorsAndTheNodeKeepsServing() {
        assertThat(run("send", "--admin", address, "--to", "zed", "x")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("zed");
        assertThat(run("send", "--admin", address, "--to", "b", "--lane", "bad lane!", "x"))
                .as("a bad value on the command line is a usage error")
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--lane: invalid lane");
        assertThat(run("send", "--admin", address, "--to", "b", "--wait", "forever", "x"))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("wait must be none, accepted or processed");
        assertThat(run("send", "--admin", address, "--to", "b", "--wait", "processed", "still fine"))
                .isZero();
        assertThat(seenByB).containsExactly("still fine");
    }

    @Test
    void unreachableEndpointIsNamed() throws Exception {
        int port = FreePorts.loopback();
        assertThat(run("stats", "--admin", "127.0.0.1:" + port)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot reach the node's admin endpoint");
    }

    @Test
    void adminRefusesNonLoopbackAddresses() {
        assertThatThrownBy(() -> AdminServer.start(InetSocketAddress.createUnresolved("8.8.8.8", 0), a, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a loopback address");
    }

    @Test
    void deliveryLinesAreTextOrJson() {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        java.io.PrintWriter w = new java.io.PrintWriter(lines, true, StandardCharsets.UTF_8);
        Delivery binary = new PrintedDelivery(new byte[] {(byte) 0xff, 0, 1}, true);
        new DeliveryPrinter(w, false).print(binary);
        new DeliveryPrinter(w, true).print(new PrintedDelivery("say \"hi\"\n".getBytes(StandardCharsets.UTF_8), false));
        assertThat(lines.toString(StandardCharsets.UTF_8))
                .contains("a default #7 (redelivered): base64:/wAB")
                .contains("{\"from\":\"a\",\"lane\":\"default\",\"seq\":7,\"redelivered\":false,\"attempt\":1,"
                        + "\"headers\":{\"k\":\"v\"},\"payload\":\"say \\\"hi\\\"\\n\"}");
    }
}
