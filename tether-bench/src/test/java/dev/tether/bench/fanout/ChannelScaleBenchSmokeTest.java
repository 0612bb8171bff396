package dev.tether.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link ChannelScaleBench} at a tiny size (two readers, three channels, each scenario and its peer): every reader
 * must get every message exactly, or the bench throws. No timing is asserted.
 */
class ChannelScaleBenchSmokeTest {
    @Test
    void everyReaderGetsEveryMessageInEveryScenario() throws Exception {
        List<ChannelScaleBench.Result> results = ChannelScaleBench.run(FanoutBench.options(
                "--readers", "2", "--channels", "3", "--messages", "600", "--repeat", "1", "--max-warmup", "1"));
        assertThat(results)
                .extracting(ChannelScaleBench.Result::scenario)
                .containsExactly("readers", "copies", "channels", "lanes");
        assertThat(results).allSatisfy(r -> assertThat(r.series().median()).isPositive());
        assertThat(results.get(0).deliveriesPerPublish()).isEqualTo(2);
    }
}
