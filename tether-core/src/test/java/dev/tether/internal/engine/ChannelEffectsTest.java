package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelRole;
import dev.tether.NodeId;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMembership;
import dev.tether.spi.ChannelReader;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.WriteBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Channel effects: a reader added because a join message was processed is stored in the batch that stores the join's
 * cursor, so a publisher crash can never keep the cursor (the joiner's join completed) and lose the reader; and this
 * node's membership is a local write like a key. Driven by hand through {@link EngineHarness}, no waiting.
 */
class ChannelEffectsTest {
    private static final String CH = "news";
    private static final NodeId P = NodeId.of("p");
    private static final NodeId A = NodeId.of("a");
    private static final String JOINS = "_ch";

    /**
     * p makes the sender of every message it processes a reader of the log the message names, as the channel layer
     * does for a join; a first join of another channel opens a's stream of joins (its first cursor is stored).
     */
    private static EngineHarness joining() {
        EngineHarness h = new EngineHarness("p", "a");
        h.node("p").replies = (key, m) ->
                Effect.reader(WriteBatch.ReaderUpdate.set(new String(m.payload()), key.peer(), Engine.LOG_END));
        h.connect("p", "a");
        h.node("a").send(P, JOINS, "other");
        h.run();
        return h;
    }

    private static long joinCursor(WriteBatch w) {
        return w.cursors().stream()
                .filter(c -> c.lane().equals(JOINS))
                .mapToLong(InboundCursor::processedSeq)
                .max()
                .orElse(-1);
    }

    private static List<ChannelReader> readers(EngineHarness h) {
        return h.node("p").store.readChannels().logs().stream()
                .filter(l -> l.channel().equals(CH))
                .map(ChannelLog::readers)
                .findFirst()
                .orElse(List.of());
    }

    @Test
    void theReaderRowRidesInTheBatchThatStoresTheJoinsCursor() {
        EngineHarness h = joining();
        h.node("a").send(P, JOINS, CH);
        h.run();
        List<WriteBatch> withCursor =
                h.node("p").committed.stream().filter(w -> joinCursor(w) >= 2).toList();
        assertThat(withCursor).hasSize(1);
        assertThat(withCursor.get(0).readerUpdates()).containsExactly(WriteBatch.ReaderUpdate.set(CH, A, 0));
        assertThat(h.node("p").committed.stream()
                        .filter(w -> w.readerUpdates().stream()
                                .anyMatch(u -> u.channel().equals(CH))))
                .containsExactlyElementsOf(withCursor);
        h.node("p").publish(CH, "m1");
        h.run();
        assertThat(h.node("a").payloads()).containsExactly("m1");
    }

    @Test
    void aPublisherThatCrashesAfterAFailedBatchHasNeitherTheCursorNorTheReaderAndTakesTheJoinAgain() {
        EngineHarness h = joining();
        h.node("p").store.failNextCommits(1); // the batch with the join's cursor and the reader row
        h.node("a").send(P, JOINS, CH);
        h.run();
        assertThat(h.node("p").batches)
                .anySatisfy(w -> assertThat(joinCursor(w)).isEqualTo(2));
        assertThat(readers(h)).isEmpty();
        assertThat(h.node("p").committed)
                .allSatisfy(w -> assertThat(joinCursor(w)).isLessThan(2));
        assertThat(h.node("a").acked).containsEntry(new StreamKey(P, JOINS), 1L); // the join is not done
        h.disconnect("p", "a");
        h.node("p").crash();
        h.connect("p", "a");
        h.advance(1_000); // a sends the join again
        assertThat(readers(h)).extracting(ChannelReader::reader).containsExactly(A);
        assertThat(h.node("a").acked).containsEntry(new StreamKey(P, JOINS), 2L);
        h.node("p").publish(CH, "m1");
        h.run();
        assertThat(h.node("a").payloads()).containsExactly("m1");
    }

    @Test
    void aFailedBatchWritesTheCursorAndTheReaderRowAgainTogether() {
        EngineHarness h = joining();
        h.node("p").store.failNextCommits(1);
        h.node("a").send(P, JOINS, CH);
        h.run();
        h.advance(200); // the batch after a failure waits, then both are written again
        List<WriteBatch> withCursor =
                h.node("p").committed.stream().filter(w -> joinCursor(w) >= 2).toList();
        assertThat(withCursor).hasSize(1);
        assertThat(withCursor.get(0).readerUpdates()).containsExactly(WriteBatch.ReaderUpdate.set(CH, A, 0));
        assertThat(readers(h)).extracting(ChannelReader::reader).containsExactly(A);
    }

    @Test
    void aMembershipIsStoredAsALocalWrite() {
        EngineHarness h = joining();
        h.node("p")
                .input(e -> e.writeKeys(
                        h.now,
                        7,
                        List.of(Effect.membership(WriteBatch.MembershipUpdate.join(CH, ChannelRole.READ_WRITE)))));
        h.run();
        assertThat(h.node("p").store.readChannels().memberships())
                .containsExactly(new ChannelMembership(CH, ChannelRole.READ_WRITE));
        assertThatThrownBy(() -> new Effect.ChannelWrite(null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
