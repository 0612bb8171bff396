package dev.tether.internal.engine;

import static dev.tether.internal.engine.EventThrottle.BURST;
import static dev.tether.internal.engine.EventThrottle.REFILL_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.TetherEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connection rejections through the engine: every one counted, the events rate-limited, and every held-back
 * rejection accounted for in a later event's {@code suppressed}. Time is explicit; nothing waits.
 */
class RejectionEventsTest {
    private final EngineHarness h = new EngineHarness("a", "b");
    private final EngineHarness.Node a = h.node("a");

    private void reject(String remote, String reason) {
        a.input(e -> e.onConnectionRejected(h.now, remote, reason));
    }

    private List<TetherEvent.ConnectionRejected> events() {
        return a.events.stream()
                .filter(TetherEvent.ConnectionRejected.class::isInstance)
                .map(TetherEvent.ConnectionRejected.class::cast)
                .toList();
    }

    /** Rejections counted in the node's stats must equal the events plus everything they say they held back. */
    private long accountedFor() {
        return events().size()
                + events().stream()
                        .mapToLong(TetherEvent.ConnectionRejected::suppressed)
                        .sum();
    }

    @Test
    void aBurstIsReportedOneByOneThenHeldBackButCounted() {
        for (int i = 0; i < BURST + 5; i++) reject("x" + i + ":7000", "bad handshake " + i);

        assertThat(a.engine.counters().connectionsRejected()).isEqualTo(BURST + 5);
        assertThat(events()).hasSize(BURST);
        assertThat(events().get(0)).isEqualTo(new TetherEvent.ConnectionRejected("x0:7000", "bad handshake 0"));
        assertThat(events()).allMatch(e -> e.suppressed() == 0);
    }

    @Test
    void theNextEventCarriesHowManyWereHeldBackSinceThePreviousOne() {
        for (int i = 0; i < BURST + 7; i++) reject("x" + i, "garbage");
        h.now += REFILL_MILLIS - 1;
        reject("y", "still no token");
        h.now += 1;
        reject("z", "untrusted certificate");

        assertThat(events()).hasSize(BURST + 1);
        assertThat(events().get(BURST)).isEqualTo(new TetherEvent.ConnectionRejected("z", "untrusted certificate", 8));
        assertThat(accountedFor()).isEqualTo(a.engine.counters().connectionsRejected());
    }

    @Test
    void aFloodThatStopsIsSummedUpOnTheNextTickWithTheLatestRejection() {
        for (int i = 0; i < BURST + 100; i++) reject("x" + i + ":7000", "reason " + i);
        h.advance(REFILL_MILLIS / 2);
        assertThat(events()).as("no token yet").hasSize(BURST);

        h.advance(REFILL_MILLIS / 2);

        assertThat(events()).hasSize(BURST + 1);
        assertThat(events().get(BURST))
                .isEqualTo(
                        new TetherEvent.ConnectionRejected("x" + (BURST + 99) + ":7000", "reason " + (BURST + 99), 99));
        assertThat(accountedFor())
                .isEqualTo(BURST + 100)
                .isEqualTo(a.engine.counters().connectionsRejected());
        h.advance(10 * REFILL_MILLIS);
        assertThat(events()).as("nothing left to report").hasSize(BURST + 1);
    }

    @Test
    void aSustainedFloodYieldsAFewEventsPerSecondAndLosesNoCount() {
        long seconds = 60;
        long perSecond = 2_000;
        for (long ms = 0; ms < seconds * 1000; ms++) {
            h.now++;
            // From many hosts: the bucket, not the quiet period per host, is what limits these events.
            for (int i = 0; i < perSecond / 1000; i++) reject("10.0." + (ms % 250) + "." + i + ":4000", "wrong magic");
            if (ms % 10 == 0) a.input(e -> e.onTick(h.now)); // the node loop ticks every few milliseconds
        }
        h.advance(REFILL_MILLIS);

        long allowed = BURST + seconds * 1000 / REFILL_MILLIS + 1;
        assertThat(events()).hasSizeLessThanOrEqualTo((int) allowed).hasSizeGreaterThan((int) (allowed - 3));
        assertThat(a.engine.counters().connectionsRejected()).isEqualTo(seconds * perSecond);
        assertThat(accountedFor()).isEqualTo(seconds * perSecond);
    }

    @Test
    void rejectionsAtAModestRateAreEachReportedWithNothingSuppressed() {
        for (int i = 0; i < 3 * BURST; i++) {
            reject("peer c" + i, "certificate does not prove node id c" + i);
            h.advance(REFILL_MILLIS);
        }
        assertThat(events()).hasSize(3 * BURST).allMatch(e -> e.suppressed() == 0);
    }

    /**
     * A refused peer redials at every backoff step, each time from a new ephemeral port: keyed by host and claimed
     * id, it is reported once per quiet period, the next event saying how many were held back, not once per dial.
     */
    @Test
    void aPeerRedialingFromNewPortsIsReportedOncePerQuietPeriodAndEveryRefusalCounted() {
        int dials = 120;
        for (int i = 0; i < dials; i++) {
            reject("b at /10.0.0.7:" + (40_000 + i), "node id b is not proven");
            h.advance(1_000);
        }
        long periods = dials * 1_000L / EventThrottle.QUIET_MILLIS;
        assertThat(events()).hasSizeBetween(2, (int) (2 * periods + 1));
        assertThat(events().get(0).remote()).isEqualTo("b at /10.0.0.7:40000");

        // Another reason from the same remote is news: reported at once.
        reject("b at /10.0.0.7:41000", "b was removed from a (removePeer)");
        assertThat(events().get(events().size() - 1).reason()).isEqualTo("b was removed from a (removePeer)");
        // Another host, or another id claimed from the same host, is not held back by b's quiet period.
        reject("c at /10.0.0.8:50000", "node id c is not proven");
        reject("d at /10.0.0.7:40999", "node id d is not proven");
        assertThat(events().subList(events().size() - 2, events().size()))
                .extracting(TetherEvent.ConnectionRejected::remote)
                .containsExactly("c at /10.0.0.8:50000", "d at /10.0.0.7:40999");

        h.advance(EventThrottle.QUIET_MILLIS);
        assertThat(a.engine.counters().connectionsRejected()).isEqualTo(dials + 3);
        assertThat(accountedFor()).as("summed up once the quiet period ended").isEqualTo(dials + 3);
    }

    /**
     * docs/PROTOCOL.md: the quiet periods remember at most {@value EventThrottle#MAX_QUIET_KEYS} keys, the least
     * recently used forgotten first, so a flood of refusals from ever new hosts cannot grow memory; each is reported
     * as a token allows, and every refusal is still accounted for.
     */
    @Test
    void theQuietPeriodsRememberAtMost1024HostsAndEveryRefusalIsCounted() {
        int hosts = 2_000;
        for (int i = 1; i <= hosts; i++) {
            reject(host(i), "node id x is not proven");
            h.advance(REFILL_MILLIS); // a token for the next one
        }
        assertThat(events()).hasSize(hosts);
        // Host #1 again, long after its quiet period: reported at once, nothing held back.
        reject(host(1), "node id x is not proven");
        assertThat(events()).hasSize(hosts + 1);
        assertThat(events().get(hosts))
                .isEqualTo(new TetherEvent.ConnectionRejected(host(1), "node id x is not proven"));
        // ... and within it, held back, then summed up once it is over.
        reject(host(1), "node id x is not proven");
        assertThat(events()).hasSize(hosts + 1);
        h.advance(EventThrottle.QUIET_MILLIS);
        assertThat(a.engine.counters().connectionsRejected()).isEqualTo(hosts + 2);
        assertThat(accountedFor()).isEqualTo(a.engine.counters().connectionsRejected());
    }

    @Test
    void theQuietPeriodKeysAreBoundedLeastRecentlyUsedFirst() {
        EventThrottle<String, TetherEvent.ConnectionRejected> t =
                new EventThrottle<>(TetherEvent.ConnectionRejected::new, EventThrottle::refusalKey);
        long now = 0;
        int max = EventThrottle.MAX_QUIET_KEYS;
        for (int i = 1; i <= 2_000; i++) {
            now += REFILL_MILLIS;
            assertThat(t.offer(now, host(i), "r")).isNotNull();
        }
        List<String> keys = t.quietKeys();
        assertThat(keys).hasSize(max);
        assertThat(keys.get(0)).isEqualTo(EventThrottle.refusalKey(host(2_000 - max + 1), "r"));
        assertThat(keys.get(max - 1)).isEqualTo(EventThrottle.refusalKey(host(2_000), "r"));

        // The eldest reported again is used most recently: the next new host evicts the one after it.
        now += REFILL_MILLIS;
        assertThat(t.offer(now, host(2_000 - max + 1), "r")).isNotNull();
        now += REFILL_MILLIS;
        assertThat(t.offer(now, host(2_001), "r")).isNotNull();
        assertThat(t.quietKeys())
                .hasSize(max)
                .contains(EventThrottle.refusalKey(host(2_000 - max + 1), "r"))
                .doesNotContain(EventThrottle.refusalKey(host(2_000 - max + 2), "r"));
    }

    /** Refusals from host {@code i}, each dial from a new port. */
    private static String host(int i) {
        return "x at /10.0." + (i / 256) + "." + (i % 256) + ":" + (40_000 + i);
    }

    @Test
    void theQuietPeriodKeyDropsOnlyTheEphemeralPort() {
        assertThat(EventThrottle.hostKey("b at /10.0.0.7:40000")).isEqualTo("b at /10.0.0.7");
        assertThat(EventThrottle.hostKey("/0:0:0:0:0:0:0:1:51234")).isEqualTo("/0:0:0:0:0:0:0:1");
        assertThat(EventThrottle.hostKey("nats node b")).isEqualTo("nats node b");
        assertThat(EventThrottle.hostKey("host:")).isEqualTo("host:");
    }

    @Test
    void timeGoingBackwardsEarnsNoTokens() {
        for (int i = 0; i < BURST; i++) reject("x" + i, "r");
        h.now -= 60_000;
        reject("y", "held");
        h.now += REFILL_MILLIS - 1;
        reject("z", "held");
        assertThat(events()).hasSize(BURST);
        h.now += 1;
        reject("w", "reported");
        assertThat(events()).hasSize(BURST + 1);
        assertThat(events().get(BURST).suppressed()).isEqualTo(2);
    }

    @Test
    void protocolErrorsAreRateLimitedAndAccountedForTheSameWay() {
        dev.tether.NodeId b = dev.tether.NodeId.of("b");
        for (int i = 0; i < BURST + 50; i++) {
            a.input(e -> e.onFrame(h.now, b, java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xEE, 1, 2, 3})));
        }
        List<TetherEvent.ProtocolError> errors = a.events.stream()
                .filter(TetherEvent.ProtocolError.class::isInstance)
                .map(TetherEvent.ProtocolError.class::cast)
                .toList();
        assertThat(errors)
                .hasSize(BURST)
                .allMatch(e -> e.suppressed() == 0 && e.peer().equals(b));

        h.advance(REFILL_MILLIS);

        List<TetherEvent.ProtocolError> after = a.events.stream()
                .filter(TetherEvent.ProtocolError.class::isInstance)
                .map(TetherEvent.ProtocolError.class::cast)
                .toList();
        assertThat(after).hasSize(BURST + 1);
        assertThat(after.get(BURST).suppressed()).isEqualTo(49);
        assertThat(a.engine.counters().protocolErrors()).isEqualTo(BURST + 50);
        assertThat(events()).as("rejections have a bucket of their own").isEmpty();
    }
}
