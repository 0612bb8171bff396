package dev.tether.scenarios;

import static dev.tether.scenarios.CallsTest.B;
import static dev.tether.scenarios.CallsTest.failure;
import static dev.tether.scenarios.CallsTest.get;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NoSuchHandlerException;
import dev.tether.Outcome;
import dev.tether.Reply;
import dev.tether.TetherNode;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, Idempotency keys: "A key is recorded when its message is acknowledged (its handler returned, or
 * the reply was produced), not when it is dead-lettered, expired, cancelled or refused for want of a handler: such a
 * message can be retried." A keyed call refused with NoSuchHandlerException, retried once the handler is registered,
 * must run.
 */
class IdempotencyNoSuchHandlerTest {
    @Test
    void aKeyedRequestRefusedForWantOfAHandlerCanBeRetriedOnceTheHandlerIsThere() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            Throwable refused =
                    failure(a.call(B, "pay").idempotencyKey("order-7").request(utf8("7")));
            assertThat(refused).isInstanceOf(NoSuchHandlerException.class);

            AtomicInteger runs = new AtomicInteger();
            b.handle("pay", call -> utf8("paid #" + runs.incrementAndGet()));
            Reply retry = get(a.call(B, "pay").idempotencyKey("order-7").request(utf8("7")));

            assertThat(CallsTest.text(retry.payloadBytes())).isEqualTo("paid #1");
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void aKeyedTellRefusedForWantOfAHandlerCanBeRetriedOnceTheHandlerIsThere() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            assertThat(get(a.call(B, "pay")
                            .idempotencyKey("order-8")
                            .tell(utf8("8"))
                            .processed()))
                    .isEqualTo(Outcome.NO_SUCH_HANDLER);

            AtomicInteger runs = new AtomicInteger();
            b.handle("pay", call -> utf8("paid #" + runs.incrementAndGet()));
            assertThat(get(a.call(B, "pay")
                            .idempotencyKey("order-8")
                            .tell(utf8("8"))
                            .processed()))
                    .isEqualTo(Outcome.PROCESSED);
            assertThat(runs).hasValue(1);
        }
    }
}
