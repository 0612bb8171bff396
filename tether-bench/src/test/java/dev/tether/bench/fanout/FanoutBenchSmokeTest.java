package dev.tether.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.bench.measure.Series;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link FanoutBench} at a tiny size (a publisher and two reader processes, in-memory stores, and the JetStream
 * peer): every reader must get every message in every round, or the bench throws. No timing is asserted.
 */
class FanoutBenchSmokeTest {
    @Test
    void everyReaderGetsEveryMessage() throws Exception {
        Map<String, Series> results = FanoutBench.run(FanoutBench.options(
                "--readers",
                "2",
                "--messages",
                "2000",
                "--repeat",
                "1",
                "--max-warmup",
                "1",
                "--only",
                "tcp-memory,jetstream"));
        assertThat(results).containsOnlyKeys("tcp-memory", "jetstream");
        assertThat(results.values()).allSatisfy(s -> assertThat(s.median()).isPositive());
    }
}
