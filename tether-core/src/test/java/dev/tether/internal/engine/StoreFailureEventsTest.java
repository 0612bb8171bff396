package dev.tether.internal.engine;

import static dev.tether.internal.engine.EventThrottle.BURST;
import static dev.tether.internal.engine.EventThrottle.REFILL_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Store failures through the engine: every one counted, the events rate-limited like the other kinds (a damaged
 * store fails every retry, ten times a second, for as long as the node runs), and every held-back failure
 * accounted for in a later event's {@code suppressed}. Time is explicit; nothing waits.
 */
class StoreFailureEventsTest {
    private static final NodeId B = NodeId.of("b");

    private final EngineHarness h = new EngineHarness("a", "b");
    private final EngineHarness.Node a = h.node("a");

    private List<TetherEvent.StoreFailure> events() {
        return a.events.stream()
                .filter(TetherEvent.StoreFailure.class::isInstance)
                .map(TetherEvent.StoreFailure.class::cast)
                .toList();
    }

    private long accountedFor() {
        return events().size()
                + events().stream()
                        .mapToLong(TetherEvent.StoreFailure::suppressed)
                        .sum();
    }

    @Test
    void aBurstOfFailedReadsIsReportedOneByOneThenHeldBackAndSummedUp() {
        StreamKey key = new StreamKey(B, "default");
        for (int i = 0; i < BURST + 50; i++) {
            int n = i;
            a.input(e -> e.onLoadFailed(h.now, key, new StoreException("the database file is corrupt " + n)));
        }
        assertThat(a.engine.counters().storeFailures()).isEqualTo(BURST + 50);
        assertThat(events()).hasSize(BURST).allMatch(e -> e.suppressed() == 0);
        assertThat(events().get(0).reason()).contains("outbox read for", "the database file is corrupt 0");

        h.advance(REFILL_MILLIS);

        assertThat(events()).hasSize(BURST + 1);
        assertThat(events().get(BURST).reason()).contains("corrupt " + (BURST + 49));
        assertThat(events().get(BURST).suppressed()).isEqualTo(49);
        assertThat(accountedFor()).isEqualTo(a.engine.counters().storeFailures());
    }

    @Test
    void aStoreThatFailsEveryCommitWhileTheApplicationKeepsSendingYieldsAFewEventsPerSecond() {
        h.connect("a", "b");
        h.run();
        a.store.failNextCommits(Integer.MAX_VALUE);
        long seconds = 60;
        for (long ms = 0; ms < seconds * 1000; ms += 10) {
            a.send(B, "default", "never stored");
            h.advance(10); // the node loop ticks every few milliseconds
        }

        assertThat(a.engine.counters().storeFailures())
                .as("a failed batch every 100 ms")
                .isEqualTo(seconds * 1000 / 100);
        long allowed = BURST + seconds * 1000 / REFILL_MILLIS + 1;
        assertThat(events()).hasSizeLessThanOrEqualTo((int) allowed).hasSizeGreaterThan((int) (allowed - 3));
        h.advance(REFILL_MILLIS); // the sends still queued fail once more
        h.advance(REFILL_MILLIS); // and that last failure is reported
        assertThat(accountedFor()).isEqualTo(a.engine.counters().storeFailures());
    }
}
