package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Audit 7a: {@code tether listen} (text) prints a peer's payload raw on the operator's terminal. A payload with
 * escape sequences retitles or clears the terminal, and one with a newline forges a delivery line. tether chat
 * escapes control characters (ChatLine.printable); listen should too, one line per delivery.
 */
class ListenOutputEscapingTest {
    @Test
    void aDeliveryIsOnePrintableLine() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        StringWriter printed = new StringWriter();
        DeliveryPrinter printer = new DeliveryPrinter(new PrintWriter(printed), false);
        TetherNode b = Tether.start(
                MemoryNodes.builder(network, "b", "a").handler(printer::print).build());
        TetherNode a = Tether.start(MemoryNodes.builder(network, "a", "b").build());
        try {
            String evil = "ok\u001b]0;owned\u0007\u001b[2J\na default #99: forged";
            a.send(NodeId.of("b"), "default", evil.getBytes(StandardCharsets.UTF_8))
                    .processed()
                    .join();
            Await.until(Duration.ofSeconds(10), () -> printed.toString().contains("forged"), () -> "printed");
        } finally {
            a.close();
            b.close();
        }
        String out = printed.toString();
        assertThat(out).doesNotContain("\u001b");
        assertThat(out.lines().count()).as("lines for one delivery:\n" + out).isEqualTo(1);
    }
}
