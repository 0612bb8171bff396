package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.Tether;
import dev.tether.TetherConfig;
import dev.tether.TetherNode;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The "Using it" example of README.md, kept compiling and working (println replaced by a list). */
class ReadmeExampleTest {
    @Test
    void readmeExampleWorks() {
        List<String> printed = new CopyOnWriteArrayList<>();
        InMemoryNetwork network = new InMemoryNetwork();

        TetherNode b = Tether.start(TetherConfig.builder(NodeId.of("b"))
                .peers(NodeId.of("a"))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> printed.add(d.from() + " #" + d.seq() + ": " + new String(d.payloadBytes())))
                .build());

        TetherNode a = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build());

        SendReceipt r = a.send(NodeId.of("b"), "orders", "hello".getBytes());
        r.accepted().join();
        assertThat(r.processed().join()).isEqualTo(Outcome.PROCESSED);
        assertThat(a.shutdown(Duration.ofSeconds(5)).drained()).isTrue();
        b.shutdown(Duration.ofSeconds(5));
        assertThat(printed).containsExactly("a #1: hello");
    }
}
