package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A channel handler that throws an {@link Error} (an application's {@code assert}, a test's assertion) fails its
 * message like any exception: the message is tried again per the retry policy and the channel's stream goes on. (An
 * Error once escaped the handler unsettled, which stalled the stream for good.) The failure is counted in the node's
 * handler errors and reported as an {@link TetherEvent.ApplicationError}, as a node handler's is.
 */
class ChannelHandlerErrorTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void aMessageWhoseChannelHandlerThrewAnErrorIsTriedAgainAndTheStreamGoesOn() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            List<String> got = new CopyOnWriteArrayList<>();
            AtomicInteger calls = new AtomicInteger();
            b.handleChannel("news", d -> {
                if (calls.incrementAndGet() == 1) throw new AssertionError("thrown by the first call only");
                got.add(new String(d.payloadBytes(), StandardCharsets.UTF_8));
            });
            b.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
            a.join("news", ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            a.publish("news", utf8("m1")).get(10, TimeUnit.SECONDS);
            a.publish("news", utf8("m2")).get(10, TimeUnit.SECONDS);
            Await.until(
                    DEADLINE,
                    () -> got.size() == 2,
                    () -> "m1 (tried again) and m2, got " + got + " after " + calls.get() + " handler calls");
            assertThat(got).containsExactly("m1", "m2");
            assertThat(b.stats().handlerErrors())
                    .as("counted as a handler error")
                    .isEqualTo(1);
            Await.until(
                    DEADLINE,
                    () -> c.events("b").stream()
                            .anyMatch(e -> e instanceof TetherEvent.ApplicationError x
                                    && x.reason().contains("thrown by the first call only")),
                    () -> "the failure reported: " + c.events("b"));
        }
    }
}
