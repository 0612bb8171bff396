package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.ShutdownResult;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown drains within its timeout, or reports what stays pending in the store. */
class ShutdownTest {
    private static final NodeId B = NodeId.of("b");

    @Test
    void shutdownDrainsWhenTheReceiverKeepsUp() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start("b");
            for (int i = 0; i < 1000; i++) a.send(B, utf8("s" + i));
            ShutdownResult r = a.shutdown(Duration.ofSeconds(30));
            assertThat(r.drained()).isTrue();
            assertThat(r.pendingTotal()).isZero();
            assertThat(c.seen("b")).hasSize(1000);
        }
    }

    @Test
    void aKilledNodeStopsAtOnceAndRestartsFromWhatItCommitted() throws Exception {
        for (boolean hosted : new boolean[] {false, true}) {
            try (Cluster c = new Cluster("a", "b")) {
                if (hosted) c.transports(id -> new HostingTransport(c.network.newTransport(), "host-" + id));
                TetherNode a = c.start("a");
                for (int i = 0; i < 100; i++)
                    a.send(B, utf8("k" + i)).accepted().get(10, TimeUnit.SECONDS);
                SendReceipt open = a.send(B, utf8("late"));
                c.kill("a");
                assertThat(open.processed().isDone())
                        .as("no future is left open")
                        .isTrue();
                assertThatThrownBy(() -> a.send(B, utf8("after"))).isInstanceOf(NodeClosedException.class);
                assertThat(a.shutdown(Duration.ZERO).drained()).isFalse();
                c.start("a");
                c.start("b");
                Await.until(
                        Duration.ofSeconds(30),
                        () -> c.seen("b").size() >= 100,
                        () -> "accepted messages delivered after the kill (hosted " + hosted + ")");
                assertThat(c.firstDeliveries("b", "a", "default").subList(0, 100))
                        .containsExactlyElementsOf(Cluster.numbered("k", 0, 100));
            }
        }
    }

    @Test
    void shutdownTimesOutAndReportsPendingWhichSurvivesARestart() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            for (int i = 0; i < 10; i++) a.send(B, utf8("p" + i));
            ShutdownResult r = a.shutdown(Duration.ofMillis(200));
            assertThat(r.drained()).isFalse();
            assertThat(r.pendingTotal()).isEqualTo(10);
            assertThat(r.pending()).containsEntry(B, 10L);
            assertThat(a.shutdown(Duration.ZERO)).isSameAs(r);
            c.crash("a"); // reopen the same store
            c.start("a");
            c.start("b");
            Await.until(
                    Duration.ofSeconds(30), () -> c.seen("b").size() == 10, () -> "pending delivered after restart");
            assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(Cluster.numbered("p", 0, 10));
        }
    }
}
