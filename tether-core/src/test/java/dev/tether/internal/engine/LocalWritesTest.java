package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.spi.KeyValue;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Engine#writeKeys}: a pattern layer's own key-value writes, and the messages that go with them, stored
 * without a settlement, group-committed, reported by token once durable, and written again after a failed commit.
 */
class LocalWritesTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private static Effect put(String key, String value) {
        return Effect.put(new KeyValue("_event", key, value.getBytes(), 0));
    }

    private static Effect notice(String payload) {
        return new Effect(B, "_ev", Map.of(":h", "_event"), payload.getBytes(), 0);
    }

    private static void write(EngineHarness.Node n, long token, Effect... effects) {
        n.input(e -> e.writeKeys(0, token, List.of(effects)));
    }

    @Test
    void writesOfOneTurnShareABatchAndAreReportedInOrderOnceCommitted() {
        EngineHarness h = new EngineHarness("a", "b");
        EngineHarness.Node a = h.node("a");
        a.engine.writeKeys(0, 1, List.of(put("x", "1")));
        a.engine.writeKeys(0, 2, List.of(put("y", "2"), Effect.delete("_event", "x")));
        assertThat(a.written).isEmpty();
        a.engine.endTurn(0);
        assertThat(a.batches).hasSize(1);
        assertThat(a.written)
                .as("nothing is reported before its batch committed")
                .isEmpty();
        h.run();
        assertThat(a.written).containsExactly(1L, 2L);
        assertThat(a.store.readKeys("_event", null, 1, 10))
                .extracting(KeyValue::key)
                .containsExactly("y"); // the delete, later in the batch, won over the put
    }

    @Test
    void aMessageEffectIsAppendedInTheSameBatchAndReachesItsPeerWithoutAReceipt() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        EngineHarness.Node a = h.node("a");
        write(a, 7, put("e1", "done"), notice("done:e1"));
        h.run();
        WriteBatch w = a.committed.stream()
                .filter(b -> !b.keyWrites().isEmpty())
                .findFirst()
                .orElseThrow();
        assertThat(w.keyWrites()).hasSize(1);
        assertThat(w.appends()).extracting(StoredMessage::lane).containsExactly("_ev");
        assertThat(a.written).containsExactly(7L);
        assertThat(a.accepted).isEmpty();
        assertThat(h.node("b").payloads()).containsExactly("done:e1");
    }

    @Test
    void aFailedCommitWritesThemAgainAheadOfLaterOnesAndReportsThemOnlyThen() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        EngineHarness.Node a = h.node("a");
        a.store.failNextCommits(1);
        write(a, 1, put("k", "first"), notice("n1"));
        h.run();
        assertThat(a.written).isEmpty();
        assertThat(a.rejected).isEmpty();
        write(a, 2, put("k", "second"));
        for (int i = 0; i < 10; i++) h.advance(50);
        assertThat(a.written).containsExactly(1L, 2L);
        assertThat(new String(a.store.readKeys("_event", null, 1, 10).get(0).value()))
                .isEqualTo("second");
        List<StoredMessage> stored = new ArrayList<>();
        for (WriteBatch w : a.committed) stored.addAll(w.appends());
        assertThat(stored).extracting(StoredMessage::seq).containsExactly(1L); // stored once, no gap
        assertThat(h.node("b").payloads()).containsExactly("n1");
    }

    @Test
    void aCrashBeforeTheCommitLosesTheWritesAndTheirMessagesTogether() {
        EngineHarness h = new EngineHarness("a", "b");
        EngineHarness.Node a = h.node("a");
        write(a, 1, put("k", "v"), notice("n"));
        a.crash(); // the batch in flight is lost with the engine
        h.run();
        assertThat(a.written).isEmpty();
        assertThat(a.store.readKeys("_event", null, 1, 10)).isEmpty();
        assertThat(a.store.readOutbox(B, "_ev", 1, 10)).isEmpty();
    }

    @Test
    void aMessageOnAVolatileLaneIsRefused() {
        EngineHarness h = new EngineHarness("a", "b");
        Effect v = new Effect(A, "_v.x", Map.of(), new byte[0], 0);
        assertThatThrownBy(() -> h.node("b").engine.writeKeys(0, 1, List.of(v)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("volatile");
    }
}
