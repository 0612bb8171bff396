package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A listing the application ends (cancel, {@code complete}, {@code orTimeout}) withdraws the request it waits for, as
 * a call's own future does: the bus's {@code listEndpoints} derives its addresses from the call layer's listing, and
 * ending the derived future must reach the page request in flight. b is down, so the page waits in a's outbox.
 */
class ListingWithdrawalTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");

    @Test
    void aBusListingTheApplicationEndsWithdrawsThePageInFlight() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            Bus bus = Tether.bus(a);
            CompletableFuture<List<Address>> cancelled = bus.listEndpoints(B, Duration.ofMinutes(5));
            CompletableFuture<List<Address>> timedOut = bus.listEndpoints(B, Duration.ofMinutes(5));
            Await.until(DEADLINE, () -> a.stats().calls().pendingCalls() == 2, () -> "two pages asked");

            assertThat(cancelled.cancel(true)).isTrue();
            assertThat(timedOut.completeExceptionally(new TimeoutException())).isTrue(); // what orTimeout does
            Await.until(
                    DEADLINE,
                    () -> a.stats().calls().pendingCalls() == 0,
                    () -> "the pages withdrawn, pending " + a.stats().calls().pendingCalls());
            assertThat(a.stats().calls().callsCancelled()).isEqualTo(2);
        }
    }
}
