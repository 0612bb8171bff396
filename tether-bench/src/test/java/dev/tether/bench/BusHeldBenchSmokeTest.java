package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Runs {@link BusHeldBench}'s measurement at a moderate size (the JVM's other objects, a few thousand, count per
 * message too), on both paths: every message reaches its receiving half (the measurement waits for it), and what an
 * outstanding message keeps live is bounded loosely above the figures measured (2.1 objects locally, 4.1 between two
 * nodes, at this size; 3.1 and 9.1 before a waiting loopback message held no object of its own and received headers
 * were shared: those fail it).
 */
class BusHeldBenchSmokeTest {
    @Test
    void aWaitingMessageKeepsFewObjectsLive() throws Exception {
        assertThat(BusHeldBench.measure(false, 30, 30_000, 100).objectsPer(30_000))
                .as("local")
                .isBetween(1.5, 2.6);
        assertThat(BusHeldBench.measure(true, 30, 30_000, 100).objectsPer(30_000))
                .as("remote")
                .isBetween(3.5, 6.0);
    }
}
