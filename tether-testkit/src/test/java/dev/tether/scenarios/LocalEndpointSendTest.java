package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.MessageTooLargeException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.NoSuchEndpointException;
import dev.tether.node.Tether;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's send to an endpoint of its own node without headers or sub-lane (the bus's common send, which finds the
 * receiving endpoint's stream once and measures the sender's reserved header once): it reaches the endpoint registered
 * now, is refused once that endpoint is gone, and counts its reserved header in the message's size exactly as any
 * other send does.
 */
class LocalEndpointSendTest {
    private static final NodeId A = NodeId.of("a");

    @Test
    void aLocalSendReachesTheEndpointRegisteredNowAndIsRefusedWhileThereIsNone() throws Exception {
        try (Cluster c = new Cluster("a")) {
            Bus bus = Tether.bus(c.start("a"));
            List<String> first = new CopyOnWriteArrayList<>();
            List<String> second = new CopyOnWriteArrayList<>();
            Endpoint bob = bus.endpoint("bob", d -> first.add(text(d.payloadBytes())));
            Endpoint alice = bus.endpoint("alice", d -> {});
            Address to = Address.of(A, "bob"); // a new address each time below: found by name, not by identity
            assertThat(alice.send(to, utf8("one")).processed().get(10, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            bob.close();
            assertThatThrownBy(() -> alice.send(Address.of(A, "bob"), utf8("lost")))
                    .isInstanceOf(NoSuchEndpointException.class);
            bus.endpoint("bob", d -> second.add(text(d.payloadBytes())));
            assertThat(alice.send(Address.of(A, "bob"), utf8("two")).processed().get(10, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            assertThat(first).containsExactly("one");
            assertThat(second).containsExactly("two");
            assertThat(alice.stats().sent()).isEqualTo(2);
        }
    }

    @Test
    void theSendersReservedHeaderCountsInTheMessagesSize() throws Exception {
        try (Cluster c = new Cluster("a")) {
            TetherNode a = c.start("a", cfg -> cfg.maxMessageBytes(1000));
            Bus bus = Tether.bus(a);
            bus.endpoint("bob", d -> {});
            Endpoint alice = bus.endpoint("alice", d -> {});
            // the header ":f" = "alice" as a frame carries it: 2 + 2 bytes of lengths, 2 + 5 of UTF-8
            int header = 4 + 2 + 5;
            assertThat(alice.send(Address.of(A, "bob"), new byte[1000 - header])
                            .processed()
                            .get(10, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            assertThatThrownBy(() -> alice.send(Address.of(A, "bob"), new byte[1000 - header + 1]))
                    .isInstanceOf(MessageTooLargeException.class)
                    .hasMessageContaining("message of 1001 bytes")
                    .hasMessageContaining("exceeds maxMessageBytes 1000");
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
