package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.spi.KeyValue;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Settle-with-effects (E1): a message sent because an inbound one was processed (a reply) is appended in the same
 * store batch as the cursor that records the inbound one processed, so after a crash both are stored or neither.
 */
class EffectsTest {
    private static final NodeId B = NodeId.of("b");

    /** b answers every message from a with "re:" + its payload, on lane "_reply". */
    private static EngineHarness echoing() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").replies =
                (key, m) -> new Effect(key.peer(), "_reply", Map.of(), ("re:" + new String(m.payload())).getBytes(), 0);
        return h;
    }

    private static long replyAppends(WriteBatch w) {
        return w.appends().stream().filter(m -> m.lane().equals("_reply")).count();
    }

    /** Each batch of b that moves a's cursor on lane "l" appends exactly the replies of the messages it covers. */
    private static void assertRepliesRideWithTheirCursor(List<WriteBatch> batches) {
        long cursor = 0;
        long replies = 0;
        for (WriteBatch w : batches) {
            long moved = 0;
            for (var c : w.cursors()) {
                if (c.lane().equals("l") && c.processedSeq() > cursor) {
                    moved = c.processedSeq() - cursor;
                    cursor = c.processedSeq();
                }
            }
            assertThat(replyAppends(w))
                    .as("replies in a batch moving the cursor by %d", moved)
                    .isEqualTo(moved);
            replies += replyAppends(w);
        }
        assertThat(replies).isEqualTo(cursor);
    }

    @Test
    void eachReplyIsAppendedInTheBatchThatStoresItsMessagesCursor() {
        EngineHarness h = echoing();
        h.connect("a", "b");
        for (int i = 0; i < 20; i++) {
            h.node("a").send(B, "l", "m" + i);
            if (i % 3 == 0) h.run();
        }
        h.run();
        assertThat(h.node("a").payloads()).hasSize(20).first().isEqualTo("re:m0");
        assertThat(h.node("a").payloads()).last().isEqualTo("re:m19");
        assertRepliesRideWithTheirCursor(h.node("b").batches);
        assertThat(h.node("b").accepted).isEmpty(); // effects have no receipts
        assertThat(h.node("b").rejected).isEmpty();
    }

    @Test
    void aFailedCommitTakesTheRepliesBackWithTheCursorAndStoresThemOnceWithIt() {
        EngineHarness h = echoing();
        h.connect("a", "b");
        h.node("a").send(B, "l", "first");
        h.run(); // the stream is open and its first cursor and reply are stored
        h.node("b").store.failNextCommits(1); // the batch holding the cursor and the replies of the five
        for (int i = 0; i < 5; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(h.node("a").payloads()).containsExactly("re:first"); // the failed replies were never sent
        for (int i = 0; i < 20; i++) h.advance(50);
        assertThat(h.node("a").payloads()).containsExactly("re:first", "re:m0", "re:m1", "re:m2", "re:m3", "re:m4");
        assertThat(h.node("b").rejected).isEmpty(); // an effect is not a send that fails: it is retried with its cursor
        List<StoredMessage> stored = new ArrayList<>();
        for (WriteBatch w : h.node("b").committed) stored.addAll(w.appends());
        assertThat(stored).extracting(StoredMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L); // no gap or repeat
        assertRepliesRideWithTheirCursor(h.node("b").committed);
    }

    @Test
    void aReplyToAPeerThatIsGoneIsDroppedAndReportedAndTheCursorStillMoves() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").replies = (key, m) -> new Effect(NodeId.of("nobody"), "_reply", Map.of(), new byte[0], 0);
        h.connect("a", "b");
        h.node("a").send(B, "l", "m0");
        h.run();
        assertThat(h.node("a").acked.get(new StreamKey(B, "l"))).isEqualTo(1);
        assertThat(h.node("b").events)
                .anySatisfy(e -> assertThat(e)
                        .isInstanceOf(TetherEvent.ApplicationError.class)
                        .asString()
                        .contains("nobody"));
    }

    /** b records a key per message from a, as an idempotency key would be (E4 written by E1). */
    private static EngineHarness keyRecording() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").replies =
                (key, m) -> Effect.put(new KeyValue("_idem", "a|" + new String(m.payload()), new byte[0], 0));
        return h;
    }

    /** Each batch of b that moves a's cursor on lane "l" by n writes exactly n keys; none is written without it. */
    private static void assertKeysRideWithTheirCursor(List<WriteBatch> batches) {
        long cursor = 0;
        for (WriteBatch w : batches) {
            long moved = 0;
            for (var c : w.cursors()) {
                if (c.lane().equals("l") && c.processedSeq() > cursor) {
                    moved = c.processedSeq() - cursor;
                    cursor = c.processedSeq();
                }
            }
            assertThat((long) w.keyWrites().size())
                    .as("keys in a batch moving the cursor by %d", moved)
                    .isEqualTo(moved);
        }
    }

    @Test
    void aKeyWriteEffectIsStoredInTheBatchOfItsCursorAndAgainWithItAfterAFailedCommit() {
        EngineHarness h = keyRecording();
        h.connect("a", "b");
        h.node("a").send(B, "l", "first");
        h.run();
        h.node("b").store.failNextCommits(1);
        for (int i = 0; i < 5; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        for (int i = 0; i < 20; i++) h.advance(50);

        assertKeysRideWithTheirCursor(h.node("b").committed);
        assertThat(h.node("b").store.readKeys("_idem", null, 1, 100))
                .extracting(KeyValue::key)
                .containsExactly("a|first", "a|m0", "a|m1", "a|m2", "a|m3", "a|m4");
        assertThat(h.node("b").committed)
                .allSatisfy(w -> assertThat(w.appends()).isEmpty()); // no message effects
    }

    @Test
    void aKeyWriteOnAVolatileStreamIsRefused() {
        EngineHarness h = keyRecording(); // nothing of a volatile stream is stored: a key cannot ride with it
        h.connect("a", "b");
        h.node("a").send(B, Lanes.volatileLane("l"), "m");
        assertThatThrownBy(h::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write no keys");
    }
}
