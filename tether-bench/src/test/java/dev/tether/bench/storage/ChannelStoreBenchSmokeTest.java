package dev.tether.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link ChannelStoreBench} at tiny sizes on real SQLite files and checks what it stores, not how fast: a
 * channel publish is one row whatever the number of readers, a copy per reader is one row per reader.
 */
class ChannelStoreBenchSmokeTest {
    @Test
    void aPublishTakesOneRowAndTheSameBytesWithOneReaderOrSixteen() throws Exception {
        List<ChannelStoreBench.Row> rows =
                ChannelStoreBench.run(ChannelStoreBench.Options.parse(new String[] {"--quick", "--readers", "1,16"}));

        assertThat(rows).extracting(ChannelStoreBench.Row::layout).containsExactly("log", "copies", "log", "copies");
        ChannelStoreBench.Row log1 = rows.get(0);
        ChannelStoreBench.Row copies1 = rows.get(1);
        ChannelStoreBench.Row log16 = rows.get(2);
        ChannelStoreBench.Row copies16 = rows.get(3);
        assertThat(log1.rowsPerPublishBacklog()).isEqualTo(1);
        assertThat(log16.rowsPerPublishBacklog()).isEqualTo(1);
        assertThat(copies16.rowsPerPublishBacklog()).isEqualTo(16);
        assertThat(log16.bytesPerPublish()).isLessThanOrEqualTo(log1.bytesPerPublish() * 1.05);
        assertThat(copies16.bytesPerPublish()).isGreaterThan(copies1.bytesPerPublish() * 10);
        assertThat(ChannelStoreBench.table(rows)).contains("| log | 16 |").contains("| copies | 16 |");
    }
}
