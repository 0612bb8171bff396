package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionIdsTest {
    @Test
    void sessionsIncreaseWithTheAttachTimeAndWithinAProcessEvenIfTheClockStandsStillOrStepsBack() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("SessionIdsTest seed " + seed);
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        SessionIds ids = new SessionIds(clock::get, new SplittableRandom(seed));
        long last = 0;
        for (int i = 0; i < 1000; i++) {
            if (i % 3 == 0) clock.addAndGet(1);
            if (i % 100 == 99) clock.addAndGet(-50); // an NTP step back
            long s = ids.next();
            assertThat(s).as("session %d", i).isGreaterThan(last);
            last = s;
        }
        SessionIds restarted = new SessionIds(() -> 1_800_000_001_000L, new SplittableRandom(seed));
        assertThat(restarted.next()).as("a later attach of another process").isGreaterThan(last);
    }
}
