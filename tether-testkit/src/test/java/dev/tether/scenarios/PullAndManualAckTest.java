package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.AckMode;
import dev.tether.Delivery;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pull mode and manual acknowledgment, both head-of-line per stream. */
class PullAndManualAckTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void pullDeliversInOrderAndHoldsTheStreamUntilAck() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode puller = c.startPull("b");
            for (int i = 0; i < 20; i++) a.send(NodeId.of("b"), utf8("p" + i));
            Delivery first = puller.receive(Duration.ofSeconds(10));
            assertThat(first).isNotNull();
            assertThat(text(first)).isEqualTo("p0");
            // The next message of the stream is held back until the first is settled.
            assertThat(puller.receive(Duration.ofMillis(200))).isNull();
            assertThat(first.ack()).isTrue();
            assertThat(first.ack()).isFalse();
            List<String> got = new ArrayList<>(List.of("p0"));
            while (got.size() < 20) {
                Delivery d = puller.receive(Duration.ofSeconds(10));
                assertThat(d).as("delivery %d", got.size()).isNotNull();
                got.add(text(d));
                d.ack();
            }
            assertThat(got).containsExactlyElementsOf(Cluster.numbered("p", 0, 20));
        }
    }

    @Test
    void nackInPullModeRedeliversTheSameMessageFlagged() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode puller = c.startPull("b");
            a.send(NodeId.of("b"), utf8("again"));
            a.send(NodeId.of("b"), utf8("next"));
            Delivery d1 = puller.receive(Duration.ofSeconds(10));
            assertThat(d1.isRedelivery()).isFalse();
            d1.nack();
            Delivery d2 = puller.receive(Duration.ofSeconds(10));
            assertThat(text(d2)).isEqualTo("again");
            assertThat(d2.isRedelivery()).isTrue();
            assertThat(d2.attempt()).isEqualTo(2);
            d2.ack();
            assertThat(text(puller.receive(Duration.ofSeconds(10)))).isEqualTo("next");
        }
    }

    @Test
    void receiveIsRefusedWhenAHandlerIsConfigured() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            assertThatThrownBy(() -> a.receive(Duration.ZERO))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("handler");
        }
    }

    @Test
    void manualAckMayComeLaterFromAnotherThread() throws Exception {
        LinkedBlockingQueue<Delivery> parked = new LinkedBlockingQueue<>();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start("b", cfg -> cfg.ackMode(AckMode.MANUAL).handler(parked::add));
            for (int i = 0; i < 5; i++) a.send(NodeId.of("b"), utf8("m" + i));
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Delivery d = parked.poll(10, TimeUnit.SECONDS);
                assertThat(d).isNotNull();
                assertThat(parked).isEmpty(); // head-of-line: nothing else until this one is acked
                got.add(text(d));
                Thread acker = new Thread(d::ack);
                acker.start();
                acker.join();
            }
            assertThat(got).containsExactlyElementsOf(Cluster.numbered("m", 0, 5));
            Await.until(DEADLINE, () -> a.stats().inFlight() == 0 && a.stats().queued() == 0, () -> "acked");
        }
    }

    private static String text(Delivery d) {
        return new String(d.payloadBytes(), StandardCharsets.UTF_8);
    }
}
