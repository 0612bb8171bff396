package dev.tether.scenarios;

import static dev.tether.scenarios.CallsTest.B;
import static dev.tether.scenarios.CallsTest.get;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.testkit.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, Idempotency keys: the window runs "from the moment the receiver acknowledged the first message
 * with the key, by the receiver's clock". Pins its end: one millisecond before it a retry is a duplicate, at it the key
 * is forgotten (the table treats an entry whose expiry is at or before now as gone, as the store's expiry does).
 */
class IdempotencyWindowEdgeTest {
    private static Outcome send(TetherNode a, String payload) throws Exception {
        return get(a.send(OutboundMessage.to(B)
                        .lane("x")
                        .idempotencyKey("k")
                        .payload(utf8(payload))
                        .build())
                .processed());
    }

    @Test
    void aKeyIsKnownUntilTheLastMillisecondOfItsWindowAndForgottenAtItsEnd() throws Exception {
        ManualClock clock = new ManualClock(1_000_000);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", b -> b.clock(clock));
            c.start("b", b -> b.clock(clock).idempotencyKeys(Duration.ofMinutes(1), 100));
            assertThat(send(a, "one")).isEqualTo(Outcome.PROCESSED);
            clock.advance(Duration.ofMinutes(1).minusMillis(1));
            assertThat(send(a, "last millisecond")).isEqualTo(Outcome.PROCESSED);
            clock.advance(Duration.ofMillis(1));
            assertThat(send(a, "at the end")).isEqualTo(Outcome.PROCESSED);

            assertThat(c.payloads("b", "a", "x")).containsExactly("one", "at the end");
        }
    }
}
