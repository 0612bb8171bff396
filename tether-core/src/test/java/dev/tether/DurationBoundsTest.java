package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Durations the engine adds to the time are bounded where they are given, with the value named: a channel's age limit
 * and a retry policy's backoff (a longer one overflowed the engine's arithmetic: the channel's node stopped storing
 * and transmitting, the retry came at once).
 */
class DurationBoundsTest {
    @Test
    void aChannelAgeLimitAboveTheLongestIsRefused() {
        assertThat(new ChannelOptions(1, 1, ChannelOptions.MAX_AGE, null).maxAgeMillis())
                .isEqualTo(36_500L * 24 * 3600 * 1000);
        assertThatThrownBy(() -> new ChannelOptions(1, 1, ChronoUnit.FOREVER.getDuration(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAge must be positive and at most 36500 days");
        assertThatThrownBy(() -> ChannelOptions.unlimited().withMaxAge(ChannelOptions.MAX_AGE.plusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT876000H0.001S");
    }

    @Test
    void aRetryBackoffAboveTheLongestIsRefused() {
        Duration ms = Duration.ofMillis(1);
        assertThat(new RetryPolicy(2, ms, RetryPolicy.MAX_BACKOFF, 2.0).backoffMillis(100))
                .isEqualTo(RetryPolicy.MAX_BACKOFF.toMillis());
        assertThatThrownBy(() -> new RetryPolicy(2, ms, Duration.ofSeconds(Long.MAX_VALUE), 2.0))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("retry maxBackoff must be at most 36500 days");
        assertThatThrownBy(() -> new RetryPolicy(2, ms, RetryPolicy.MAX_BACKOFF.plusMillis(1), 2.0))
                .isInstanceOf(InvalidConfigException.class);
    }

    /**
     * A "forever" call timeout (which the channel join timeout defaults to) is a long wait, not an overflow: a join
     * that tells a peer used to throw {@code ArithmeticException} after storing the membership.
     */
    @Test
    void aJoinWithAForeverTimeoutWaitsForItsPeers() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        try (TetherNode a = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .defaultCallTimeout(ChronoUnit.FOREVER.getDuration())
                .handler(d -> {})
                .build())) {
            CompletableFuture<Void> joined = a.join("news", ChannelRole.READ);
            assertThat(joined).isNotDone(); // b, down, has not taken the join
        }
    }
}
