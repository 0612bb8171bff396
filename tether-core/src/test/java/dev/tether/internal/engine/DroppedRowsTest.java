package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.KeyValue;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DroppedRowsTest {
    private static KeyValue record(String key, long... runs) {
        ByteBuffer b = ByteBuffer.allocate(runs.length * 8);
        for (long r : runs) b.putLong(r);
        return new KeyValue(DroppedRows.NAMESPACE, key, b.array(), 0);
    }

    @Test
    void aRecordDecodesToItsStreamAndRuns() {
        Map<StreamKey, long[]> m = DroppedRows.decode(List.of(record("b/orders", 3, 5, 9, 9)));
        assertThat(m).containsOnlyKeys(new StreamKey(NodeId.of("b"), "orders"));
        assertThat(m.get(new StreamKey(NodeId.of("b"), "orders"))).containsExactly(3, 5, 9, 9);
    }

    /** A foreign or damaged store's entry must not stop the node from starting: it is skipped, the others read. */
    @Test
    void keysThatNameNoStreamAreSkipped() {
        Map<StreamKey, long[]> m = DroppedRows.decode(List.of(
                record("no-slash", 1, 1),
                record("/lane", 1, 1),
                record("peer/", 1, 1),
                record("pe:er/lane", 1, 1),
                record("peer/la/ne", 1, 1),
                record("a/default", 2, 4)));
        assertThat(m).containsOnlyKeys(new StreamKey(NodeId.of("a"), "default"));
    }

    @Test
    void writtenKeysReadBack() {
        StreamKey k = new StreamKey(NodeId.of("node-1.x"), "_ch.chat");
        assertThat(StreamKey.fromStoreKey(k.peer().value() + "/" + k.lane())).isEqualTo(k);
    }
}
