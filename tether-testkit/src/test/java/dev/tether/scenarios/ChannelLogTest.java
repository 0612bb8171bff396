package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.numbered;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Channels;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.internal.node.RealTetherNode;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.spi.ChannelLog;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Channel logs through real nodes (node thread, store writer, in-memory transport and stores), driven through the
 * runtime's {@link ChannelPort} (the channel layer's view; its public API is not built yet): several readers each get
 * every publish in order, once; a reader that is down gets what was published meanwhile when it returns; a restarted
 * publisher continues every reader from its stored row; the log is stored once and trimmed once every reader has it.
 */
class ChannelLogTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);
    private static final List<String> READERS = List.of("a", "b", "c");

    private static ChannelPort port(TetherNode n) {
        return ((RealTetherNode) n).runtime().channels();
    }

    private static void addReaders(TetherNode publisher, List<String> readers) throws Exception {
        for (String r : readers) {
            port(publisher).addReader(CH, NodeId.of(r), Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
        }
    }

    private static List<MessageId> publish(TetherNode publisher, String prefix, int from, int to) throws Exception {
        List<CompletableFuture<MessageId>> fs = new ArrayList<>();
        for (int i = from; i < to; i++) fs.add(port(publisher).publish(CH, Map.of(), utf8(prefix + i), 0));
        List<MessageId> ids = new ArrayList<>();
        for (CompletableFuture<MessageId> f : fs) ids.add(f.get(10, TimeUnit.SECONDS));
        return ids;
    }

    private static ChannelLog log(Cluster c) {
        return c.store("p").readChannels().logs().get(0);
    }

    private static void awaitAll(Cluster c, List<String> readers, List<String> expected) {
        for (String r : readers) {
            Await.until(
                    DEADLINE,
                    () -> c.payloads(r, "p", LANE).size() >= expected.size(),
                    () -> r + " got " + c.payloads(r, "p", LANE).size() + " of " + expected.size());
            assertThat(c.payloads(r, "p", LANE)).as(r).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void everyReaderGetsEveryPublishInOrderOnceAndTheLogIsStoredOnceAndTrimmed() throws Exception {
        try (Cluster c = new Cluster("p", "a", "b", "c")) {
            TetherNode p = c.start("p");
            for (String r : READERS) c.start(r);
            addReaders(p, READERS);
            List<MessageId> ids = publish(p, "m", 0, 200); // published right after the joins completed
            assertThat(ids).extracting(MessageId::lane).containsOnly(LANE);
            assertThat(ids).extracting(MessageId::seq).containsExactlyElementsOf(seqs(1, 200));
            awaitAll(c, READERS, numbered("m", 0, 200));
            Await.until(DEADLINE, () -> log(c).trimmedSeq() == 200, () -> "log trimmed: " + log(c));
            assertThat(log(c).readers()).extracting(r -> r.ackedSeq()).containsOnly(200L);
            assertThat(c.store("p").readOutbox(NodeId.of("a"), LANE, 1, 10)).isEmpty(); // no copy per reader
        }
    }

    private static List<Long> seqs(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long s = from; s <= to; s++) l.add(s);
        return l;
    }

    @Test
    void aReaderThatIsDownGetsWhatWasPublishedMeanwhileWhenItReturns() throws Exception {
        try (Cluster c = new Cluster("p", "a", "b", "c")) {
            TetherNode p = c.start("p");
            for (String r : READERS) c.start(r);
            addReaders(p, READERS);
            publish(p, "m", 0, 50);
            awaitAll(c, READERS, numbered("m", 0, 50));
            c.crash("c");
            publish(p, "m", 50, 400); // more than a page cache holds
            awaitAll(c, List.of("a", "b"), numbered("m", 0, 400));
            assertThat(log(c).trimmedSeq()).isLessThanOrEqualTo(50); // c's cursor holds the log
            c.start("c");
            awaitAll(c, List.of("c"), numbered("m", 0, 400));
            Await.until(DEADLINE, () -> log(c).trimmedSeq() == 400, () -> "log trimmed: " + log(c));
        }
    }

    @Test
    void aRestartedPublisherContinuesEveryReaderFromItsRow() throws Exception {
        try (Cluster c = new Cluster("p", "a", "b")) {
            TetherNode p = c.start("p");
            c.start("a");
            c.start("b");
            addReaders(p, List.of("a", "b"));
            publish(p, "m", 0, 100);
            c.crash("p");
            p = c.start("p");
            publish(p, "m", 100, 150);
            assertThat(log(c).lastSeq()).isEqualTo(150);
            awaitAll(c, List.of("a", "b"), numbered("m", 0, 150));
            // a join that repeats keeps the reader's cursor
            assertThat(port(p).addReader(CH, NodeId.of("a"), 0).get(10, TimeUnit.SECONDS))
                    .isGreaterThan(0);
        }
    }

    @Test
    void aReaderAddedLaterGetsOnlyWhatFollowsItsStartAndARemovedOneNothingMore() throws Exception {
        try (Cluster c = new Cluster("p", "a", "b")) {
            TetherNode p = c.start("p");
            c.start("a");
            c.start("b");
            addReaders(p, List.of("a"));
            publish(p, "m", 0, 10);
            addReaders(p, List.of("b"));
            publish(p, "m", 10, 20);
            awaitAll(c, List.of("a"), numbered("m", 0, 20));
            awaitAll(c, List.of("b"), numbered("m", 10, 20));
            assertThat(port(p).removeReader(CH, NodeId.of("b")).get(10, TimeUnit.SECONDS))
                    .isTrue();
            publish(p, "m", 20, 30);
            awaitAll(c, List.of("a"), numbered("m", 0, 30));
            Await.until(DEADLINE, () -> log(c).readers().size() == 1, () -> "b's row deleted: " + log(c));
            assertThat(c.payloads("b", "p", LANE)).containsExactlyElementsOf(numbered("m", 10, 20));
        }
    }
}
