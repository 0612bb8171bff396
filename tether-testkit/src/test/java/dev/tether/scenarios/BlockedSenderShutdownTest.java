package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OverflowPolicy;
import dev.tether.StreamLimits;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sender blocked by a BLOCK(60 s) stream limit (its receiver is down) when the node shuts
 * down is answered with NodeClosedException at once, and shutdown(0) returns at once, not after the block's timeout (audit 9, area 4).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockedSenderShutdownTest {
    private static final NodeId B = NodeId.of("b");

    @Test
    void aSenderBlockedOnAFullStreamIsReleasedByShutdown() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            StreamLimits one = StreamLimits.maxMessages(1).policy(OverflowPolicy.block(Duration.ofSeconds(60)));
            TetherNode a = c.start("a", b -> b.streamLimits("b", "default", one));
            a.send(B, utf8("fills the stream")).accepted().get(10, TimeUnit.SECONDS);
            CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() -> a.send(B, utf8("blocked")));
            Await.until(Duration.ofSeconds(10), () -> a.stats().blockedSends() == 1, () -> "the sender to block");
            long start = System.nanoTime();
            a.shutdown(Duration.ZERO);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            try {
                blocked.get(5, TimeUnit.SECONDS);
                throw new AssertionError("the blocked send was accepted after shutdown");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NodeClosedException.class);
            }
            assertThat(took)
                    .as("shutdown(0) with a blocked sender, ms")
                    .isLessThan(30_000); // far below the block's 60 s: not waited out
        }
    }
}
