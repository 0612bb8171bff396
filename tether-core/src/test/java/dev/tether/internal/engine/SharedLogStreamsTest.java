package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelReader;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Shared-log streams (docs/CHANNELS-DESIGN.md, section 2): a publish is numbered and stored once in its channel's
 * log, each reader is an ordinary stream on the channel's lane whose messages come from that log, its cursor is a
 * reader row, the log is trimmed at the lowest cursor, a new reader starts where it is told, and the reader's side
 * takes the OPEN's cursor without a Resync. Driven by hand through {@link EngineHarness}, no waiting.
 */
class SharedLogStreamsTest {
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);
    private static final NodeId P = NodeId.of("p");
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private static EngineHarness connected() {
        EngineHarness h = new EngineHarness("p", "a", "b", "c");
        for (String r : List.of("a", "b", "c")) h.connect("p", r);
        return h;
    }

    private static void addReaders(EngineHarness h, long afterSeq, NodeId... readers) {
        for (NodeId r : readers) h.node("p").input(e -> e.addReader(h.now, CH, r, afterSeq));
        h.run();
    }

    private static void publish(EngineHarness h, int from, int to) {
        for (int i = from; i <= to; i++) h.node("p").publish(CH, "m" + i);
        h.run();
    }

    private static List<String> expected(int from, int to) {
        List<String> l = new ArrayList<>();
        for (int i = from; i <= to; i++) l.add("m" + i);
        return l;
    }

    private static ChannelLog log(EngineHarness h) {
        return h.node("p").store.readChannels().logs().stream()
                .filter(l -> l.channel().equals(CH))
                .findFirst()
                .orElseThrow();
    }

    private static long cursor(ChannelLog log, NodeId reader) {
        return log.readers().stream()
                .filter(r -> r.reader().equals(reader))
                .mapToLong(ChannelReader::ackedSeq)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void everyReaderGetsEveryPublishInOrderOnceAndThePublisherStoresEachOnce() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A, B, C);
        publish(h, 1, 40);
        for (String r : List.of("a", "b", "c")) {
            assertThat(h.node(r).payloads()).containsExactlyElementsOf(expected(1, 40));
            assertThat(h.node(r).delivered).extracting(InboundMessage::seq).containsExactly(seqs(1, 40));
            assertThat(h.node(r).delivered).noneMatch(InboundMessage::redelivery);
        }
        List<WriteBatch> batches = h.node("p").committed;
        assertThat(batches.stream().mapToInt(w -> w.publishes().size()).sum()).isEqualTo(40);
        assertThat(batches).allSatisfy(w -> assertThat(w.appends()).isEmpty()); // no copy per reader
        assertThat(batches).allSatisfy(w -> assertThat(w.trims()).isEmpty()); // reader rows instead of trims
        ChannelLog log = log(h);
        assertThat(log.lastSeq()).isEqualTo(40);
        assertThat(log.readers()).extracting(ChannelReader::ackedSeq).containsOnly(40L);
        assertThat(log.trimmedSeq()).isEqualTo(40); // every reader took care of everything
        assertThat(h.node("p").store.readChannel(CH, 1, 100)).isEmpty();
        assertThat(h.node("p").accepted).hasSize(40);
        assertThat(h.node("p").accepted.values())
                .allSatisfy(id -> assertThat(id.lane()).isEqualTo(LANE));
    }

    private static Long[] seqs(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long s = from; s <= to; s++) l.add(s);
        return l.toArray(new Long[0]);
    }

    @Test
    void readersShareOnePageCacheInsteadOfACopyEach() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A, B, C);
        for (String r : List.of("a", "b", "c")) h.disconnect("p", r);
        publish(h, 1, 50);
        assertThat(h.node("p").engine.messagesInMemory()).isEqualTo(50); // not 150

        EngineHarness outbox = connected();
        for (String r : List.of("a", "b", "c")) outbox.disconnect("p", r);
        for (int i = 1; i <= 50; i++) {
            for (NodeId r : List.of(A, B, C)) outbox.node("p").send(r, "l", "m" + i);
        }
        outbox.run();
        assertThat(outbox.node("p").engine.messagesInMemory()).isEqualTo(150); // the peer: a copy per stream
    }

    @Test
    void theLogIsTrimmedAtTheSlowestReadersCursorAndAnOfflineReaderGetsEverythingWhenItReturns() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A, B, C);
        publish(h, 1, 10);
        h.disconnect("p", "c");
        publish(h, 11, 300); // more than the window (256) holds: c's return needs pages from the store
        ChannelLog log = log(h);
        assertThat(cursor(log, A)).isEqualTo(300);
        assertThat(cursor(log, C)).isEqualTo(10);
        assertThat(log.trimmedSeq()).isEqualTo(10);
        assertThat(h.node("p").store.readChannel(CH, 1, 1000)).hasSize(290);

        int loads = h.node("p").loads;
        h.connect("p", "c");
        h.run();
        assertThat(h.node("c").payloads()).containsExactlyElementsOf(expected(1, 300));
        assertThat(h.node("p").loads).isGreaterThan(loads); // read back from the log
        assertThat(log(h).trimmedSeq()).isEqualTo(300);
        assertThat(cursor(log(h), C)).isEqualTo(300);
    }

    @Test
    void aNewReaderStartsWhereItIsToldAndItsReceiverTakesThatCursorWithoutAResync() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A);
        h.disconnect("p", "a"); // keeps the log from being trimmed
        publish(h, 1, 5);
        addReaders(h, Engine.LOG_END, B); // after 5
        addReaders(h, 2, C); // after 2
        publish(h, 6, 8);
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(expected(6, 8));
        assertThat(h.node("c").payloads()).containsExactlyElementsOf(expected(3, 8));
        for (String r : List.of("b", "c")) {
            assertThat(h.node(r).events).noneMatch(e -> e instanceof TetherEvent.Resync);
        }
        assertThat(cursor(log(h), B)).isEqualTo(8);
        // a start before what the log still holds is clamped: a joins again after leaving
        h.connect("p", "a");
        h.run();
        h.node("p").input(e -> e.removeReader(h.now, CH, A));
        h.run();
        assertThat(log(h).trimmedSeq()).isEqualTo(8);
        h.node("p").input(e -> assertThat(e.addReader(h.now, CH, A, 0)).isEqualTo(8));
        publish(h, 9, 9);
        assertThat(h.node("a").payloads()).containsExactlyElementsOf(expected(1, 9));
    }

    @Test
    void aJoinThatRepeatsKeepsTheReadersCursor() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A);
        h.disconnect("p", "a");
        publish(h, 1, 3);
        h.node("p")
                .input(e ->
                        assertThat(e.addReader(h.now, CH, A, Engine.LOG_END)).isEqualTo(0));
        h.connect("p", "a");
        h.run();
        assertThat(h.node("a").payloads()).containsExactlyElementsOf(expected(1, 3));
    }

    @Test
    void aRemovedReaderGetsNothingMoreItsRowIsDeletedAndTheLogTrimsPastIt() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A, B);
        publish(h, 1, 3);
        h.disconnect("p", "b");
        publish(h, 4, 6);
        assertThat(log(h).trimmedSeq()).isEqualTo(3);
        h.node("p").input(e -> assertThat(e.removeReader(h.now, CH, B)).isTrue());
        h.run();
        assertThat(log(h).readers()).extracting(ChannelReader::reader).containsExactly(A);
        assertThat(log(h).trimmedSeq()).isEqualTo(6);
        h.connect("p", "b");
        publish(h, 7, 8);
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(expected(1, 3));
        assertThat(h.node("a").payloads()).containsExactlyElementsOf(expected(1, 8));
        h.node("p").input(e -> assertThat(e.removeReader(h.now, CH, B)).isFalse());
    }

    @Test
    void aRestartedPublisherContinuesEveryReaderFromItsRowAndNumbersOnFromTheLog() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A, B);
        publish(h, 1, 4);
        h.disconnect("p", "b");
        publish(h, 5, 9);
        h.disconnect("p", "a");
        h.node("p").crash();
        h.connect("p", "a");
        h.connect("p", "b");
        h.run();
        publish(h, 10, 12);
        assertThat(h.node("a").payloads()).containsExactlyElementsOf(expected(1, 12));
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(expected(1, 12));
        assertThat(h.node("b").delivered).extracting(InboundMessage::seq).containsExactly(seqs(1, 12));
        // b's process was never handed any of them before
        assertThat(h.node("b").delivered).noneMatch(InboundMessage::redelivery);
        assertThat(log(h).lastSeq()).isEqualTo(12);
        assertThat(log(h).trimmedSeq()).isEqualTo(12);
    }

    @Test
    void aFailedCommitRejectsItsPublishesFreesTheirNumbersAndWritesTheRowsAgain() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A, B);
        publish(h, 1, 2);
        h.node("p").store.failNextCommits(1);
        long failed = h.node("p").publish(CH, "lost");
        h.run();
        assertThat(h.node("p").rejected).containsKey(failed);
        h.advance(200); // the batch after a failure waits
        publish(h, 3, 4);
        h.advance(200);
        assertThat(h.node("a").payloads()).containsExactlyElementsOf(expected(1, 4));
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(expected(1, 4));
        assertThat(log(h).lastSeq()).isEqualTo(4);
        assertThat(log(h).readers()).extracting(ChannelReader::ackedSeq).containsOnly(4L);
    }

    @Test
    void readerRowsOfAFailedBatchAreWrittenAgainAndTheLogIsNotTrimmedBeforeThem() {
        EngineHarness h = connected();
        addReaders(h, Engine.LOG_END, A, B);
        publish(h, 1, 1); // the streams open
        h.filter = (from, to, f) -> !(to.equals(P) && f.get(f.position() + 2) == Frame.ACK); // acks are lost
        publish(h, 2, 3);
        assertThat(h.node("a").payloads()).hasSize(3);
        assertThat(cursor(log(h), A)).isEqualTo(1);
        h.node("p").store.failNextCommits(1); // the batch with the rows of a and b at 3, and the trim
        h.filter = (from, to, f) -> true;
        h.advance(150); // p probes, the acks arrive, their batch fails
        List<WriteBatch> failed = new ArrayList<>(h.node("p").batches);
        failed.removeAll(h.node("p").committed);
        assertThat(failed).anySatisfy(w -> assertThat(w.readerUpdates()).isNotEmpty());
        assertThat(log(h).trimmedSeq()).isEqualTo(1);
        h.advance(200);
        ChannelLog log = log(h);
        assertThat(log.readers()).extracting(ChannelReader::ackedSeq).containsOnly(3L);
        assertThat(log.trimmedSeq()).isEqualTo(3);
    }

    @Test
    void aNewReadersStreamOpensOnlyOnceItsRowIsStored() {
        EngineHarness h = connected();
        h.node("p").store.failNextCommits(1); // the batch with a's row
        addReaders(h, Engine.LOG_END, A);
        assertThat(h.node("p").store.readChannels().logs()).isEmpty();
        assertThat(h.node("p").engine.streamStats()).noneMatch(st -> st.lane().equals(LANE));
        h.advance(200); // written again
        assertThat(cursor(log(h), A)).isZero();
        assertThat(h.node("p").engine.streamStats()).anyMatch(st -> st.lane().equals(LANE));
        publish(h, 1, 2);
        assertThat(h.node("a").payloads()).containsExactlyElementsOf(expected(1, 2));
    }

    @Test
    void aPlainSendOnAChannelLaneIsRefused() {
        EngineHarness h = connected();
        long t = h.node("p").send(A, LANE, "x");
        h.run();
        assertThat(h.node("p").rejected.get(t)).hasMessageContaining("carries a channel");
        assertThat(h.node("a").delivered).isEmpty();
    }
}
