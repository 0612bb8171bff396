package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.ShutdownResult;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
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
