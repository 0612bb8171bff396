package dev.tether.scenarios;

import static dev.tether.scenarios.CallsTest.B;
import static dev.tether.scenarios.CallsTest.failure;
import static dev.tether.scenarios.CallsTest.get;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NoSuchHandlerException;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.bus.NoSuchEndpointException;
import dev.tether.node.Tether;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, Idempotency keys: a keyed call to an endpoint is not processed when the called node has no such
 * endpoint, or the endpoint no such handler: its key is not recorded, and a retry with the same key runs once the
 * endpoint and its handler are there (instead of failing as a duplicate of a call that never ran).
 */
class IdempotencyNoSuchEndpointTest {
    @Test
    void aKeyedRequestToAMissingEndpointCanBeRetriedOnceTheEndpointIsThere() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = Tether.bus(c.start("a")).endpoint("alice", d -> {});
            TetherNode b = c.start("b");
            Throwable refused = failure(alice.call(Address.of(B, "bob"), "pay")
                    .idempotencyKey("order-9")
                    .request(utf8("9")));
            assertThat(refused).isInstanceOf(NoSuchEndpointException.class);

            AtomicInteger runs = new AtomicInteger();
            Tether.bus(b).endpoint("bob", d -> {}).handle("pay", call -> utf8("paid #" + runs.incrementAndGet()));
            byte[] retry = get(alice.call(Address.of(B, "bob"), "pay")
                            .idempotencyKey("order-9")
                            .request(utf8("9")))
                    .payloadBytes();

            assertThat(CallsTest.text(retry)).isEqualTo("paid #1");
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void aKeyedSyncToAnEndpointWithoutTheHandlerCanBeRetriedOnceTheHandlerIsThere() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            Endpoint alice = Tether.bus(c.start("a")).endpoint("alice", d -> {});
            Endpoint bob = Tether.bus(c.start("b")).endpoint("bob", d -> {});
            Throwable refused = failure(
                    alice.call(bob.address(), "pay").idempotencyKey("order-10").sync(utf8("10")));
            assertThat(refused).isInstanceOf(NoSuchHandlerException.class);

            AtomicInteger runs = new AtomicInteger();
            bob.handle("pay", call -> utf8("paid #" + runs.incrementAndGet()));
            assertThat(get(alice.call(bob.address(), "pay")
                            .idempotencyKey("order-10")
                            .sync(utf8("10"))))
                    .isNull();
            assertThat(runs).hasValue(1);
        }
    }
}
