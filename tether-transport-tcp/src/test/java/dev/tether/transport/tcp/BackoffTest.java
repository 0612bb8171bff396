package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.transport.tcp.internal.Backoff;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delaysDoubleUpToTheMaximumWithJitterInTheUpperHalf() {
        long seed = 7;
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(300), new Random(seed));
        long ceiling = Duration.ofMillis(10).toNanos();
        for (int attempt = 0; attempt < 40; attempt++) {
            long delay = backoff.delayNanos(attempt);
            assertThat(delay).as("attempt " + attempt).isBetween(ceiling / 2, ceiling);
            ceiling = Math.min(ceiling * 2, Duration.ofMillis(300).toNanos());
        }
    }

    @Test
    void sameSeedSameDelays() {
        Backoff one = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(5), new Random(99));
        Backoff two = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(5), new Random(99));
        for (int attempt = 0; attempt < 20; attempt++) {
            assertThat(one.delayNanos(attempt)).isEqualTo(two.delayNanos(attempt));
        }
    }
}
