package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
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
}
