package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Endpoints declared in the configuration (docs/MESSAGING.md, "Endpoints"): node b comes up with {@code echo}
 * registered (its configured handler), and with {@code inbox} declared without a handler, whose messages wait at the
 * head of their streams, as a durable endpoint's do, until code registers it, also across a restart of b. Two real
 * nodes with in-memory stores, on the in-memory transport and over TCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConfiguredEndpointTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Address ECHO = Address.of(EndpointNodes.B, "echo");
    private static final Address INBOX = Address.of(EndpointNodes.B, "inbox");

    private final List<String> echoed = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private EndpointNodes nodes;

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** b declares {@code inbox} and {@code echo} (with a handler recording into {@link #echoed}). */
    private void start(Net net) {
        nodes = fixture.start(net, (id, b) -> {
            if (!id.equals(EndpointNodes.B)) return;
            b.endpoint("inbox").endpoint("echo", EndpointOptions.defaults(), d -> echoed.add(text(d.payloadBytes())));
        });
    }

    private boolean arrived(NodeId from, String agent, int n) {
        return nodes.node(1).stats().streams(from).stream()
                .anyMatch(s -> s.lane().equals("_a." + agent)
                        && s.direction() == dev.tether.StreamStats.Direction.INBOUND
                        && s.lastSeq() >= n);
    }

    private static List<SendReceipt> send(Bus from, Address to, String prefix, int n) {
        List<SendReceipt> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(from.send(to, EndpointNodes.utf8(prefix + i)));
        return l;
    }

    private static List<String> numbered(String prefix, int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(prefix + i);
        return l;
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void theNodeComesUpWithItsEndpointsAndADeclaredOneWithoutAHandlerKeepsItsMessagesUntilCodeRegistersIt(Net net)
            throws Exception {
        start(net);
        Bus a = nodes.bus(0);
        Bus b = nodes.bus(1);
        assertThat(b.endpoints()).containsExactly(ECHO); // registered at start; inbox waits for code
        assertThat(b.durableEndpoints()).containsExactly("echo", "inbox");
        a.awaitEndpoint(ECHO, DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(a.send(ECHO, EndpointNodes.utf8("hi")).processed().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(echoed).containsExactly("hi");

        List<SendReceipt> remote = send(a, INBOX, "r", 30);
        List<SendReceipt> local = send(b, INBOX, "l", 30); // a local send to it is accepted, not refused
        Await.until(
                DEADLINE,
                () -> arrived(EndpointNodes.A, "inbox", 30) && arrived(EndpointNodes.B, "inbox", 30),
                () -> "the messages reaching b");
        assertThat(remote).noneMatch(r -> r.processed().isDone());
        assertThat(local).noneMatch(r -> r.processed().isDone());
        assertThatThrownBy(() -> b.forget("inbox"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is configured");

        List<String> got = new CopyOnWriteArrayList<>();
        b.endpoint("inbox", d -> got.add(text(d.payloadBytes())));
        for (SendReceipt r : remote) assertThat(r.processed().join()).isEqualTo(Outcome.PROCESSED);
        for (SendReceipt r : local) assertThat(r.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(got.stream().filter(s -> s.startsWith("r"))).containsExactlyElementsOf(numbered("r", 30));
        assertThat(got.stream().filter(s -> s.startsWith("l"))).containsExactlyElementsOf(numbered("l", 30));

        b.find("echo").orElseThrow().close(); // configured, so durable: its messages wait now
        SendReceipt waiting = a.send(ECHO, EndpointNodes.utf8("later"));
        Await.until(DEADLINE, () -> arrived(EndpointNodes.A, "echo", 2), () -> "the message reaching b");
        assertThat(waiting.processed()).isNotDone();
        b.endpoint("echo", d -> echoed.add("again " + text(d.payloadBytes())));
        assertThat(waiting.processed().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(Outcome.PROCESSED);
        assertThat(echoed).containsExactly("hi", "again later");
        assertThat(a.noSuchEndpoint() + b.noSuchEndpoint()).isZero();
    }

    /** Across a restart of b: its configured endpoint is back before delivery, the declared one keeps waiting. */
    @Test
    void afterARestartTheConfiguredEndpointIsBackBeforeDeliveryAndNothingIsRefused() {
        start(Net.MEMORY);
        TetherNode b = nodes.node(1);
        b.close();
        List<SendReceipt> toEcho = send(nodes.bus(0), ECHO, "e", 20); // queued while b is down
        List<SendReceipt> toInbox = send(nodes.bus(0), INBOX, "i", 20);
        b = nodes.restart(1);
        for (SendReceipt r : toEcho) assertThat(r.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(echoed).containsExactlyElementsOf(numbered("e", 20));
        Await.until(DEADLINE, () -> arrived(EndpointNodes.A, "inbox", 20), () -> "the messages reaching b");
        assertThat(toInbox).noneMatch(r -> r.processed().isDone());
        List<String> got = new CopyOnWriteArrayList<>();
        Tether.bus(b).endpoint("inbox", d -> got.add(text(d.payloadBytes())));
        for (SendReceipt r : toInbox) assertThat(r.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(got).containsExactlyElementsOf(numbered("i", 20));
        assertThat(Tether.bus(b).noSuchEndpoint()).isZero();
    }

    @Test
    void badDeclarationsAreRefusedByTheBuilder() {
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of("x"));
        assertThatThrownBy(() -> b.endpoint("bad name"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("endpoint: invalid agent name 'bad name'");
        assertThatThrownBy(() -> b.endpoint("a.b")).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> b.endpoint("_sys"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> b.endpoint(null)).isInstanceOf(InvalidConfigException.class);
        b.endpoint("bob");
        assertThatThrownBy(() -> b.endpoint("bob", EndpointOptions.defaults(), d -> {}))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("endpoint 'bob' is declared twice");
        assertThatThrownBy(() -> b.endpoint("carol", EndpointOptions.defaults(), null))
                .isInstanceOf(NullPointerException.class);
        for (int i = 1; i < Bus.DEFAULT_MAX_ENDPOINTS; i++) b.endpoint("e" + i);
        assertThatThrownBy(() -> b.endpoint("one-more"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("more than 10000 configured endpoints");
    }
}
