package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.tether.Durability;
import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Store batching of one engine ("a"), driven by hand: the test plays the store writer (it decides when each batch
 * handed to {@code persist} commits or fails) and the peer "b" (hand-made frames). Pipelining: a second, full
 * batch goes to the writer while the first is in flight; answers come in order; a failure takes the batches
 * behind it along, and nothing that depends on durability happens before its own batch is committed.
 */
class EngineBatchingTest {
    private static final NodeId B = NodeId.of("b");
    private static final String LANE = "l";
    private static final StreamKey AB = new StreamKey(B, LANE);
    private static final long B_EPOCH = 77;
    private static final long B_BOOT = 7_001;

    private record Persisted(long id, long after, WriteBatch batch) {}

    private final InMemoryStore store = new InMemoryStore(new Random(1));
    /** Handed to {@code persist} and not answered yet, oldest first. */
    private final ArrayDeque<Persisted> inFlight = new ArrayDeque<>();

    private final List<Persisted> persisted = new ArrayList<>();
    private final Map<Long, Long> accepted = new LinkedHashMap<>();
    private final List<Long> rejected = new ArrayList<>();
    private final List<TetherEvent> events = new ArrayList<>();
    private final List<Frame> sent = new ArrayList<>();
    private final List<List<InboundMessage>> runs = new ArrayList<>();
    private final List<Long> generations = new ArrayList<>();
    private Engine engine;
    private long now = 1_000;
    private long nextToken;

    private void start(int maxBatchesInFlight, int batchMessages) {
        start(maxBatchesInFlight, batchMessages, batchMessages);
    }

    private void start(int maxBatchesInFlight, int minBatchMessages, int maxBatchMessages) {
        EngineConfig cfg = new EngineConfig(
                NodeId.of("a"),
                Set.of(B),
                8,
                4096,
                1_000_000,
                100,
                1_000,
                new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10), 1.0),
                FailurePolicy.DEAD_LETTER,
                16,
                maxBatchesInFlight,
                minBatchMessages,
                maxBatchMessages);
        engine = new Engine(cfg, store.open(Durability.MEMORY), new Recorder());
    }

    private final class Recorder implements EngineOutput {
        @Override
        public void transmit(NodeId peer, ByteBuffer frame) {
            sent.add(FrameCodec.decode(frame.duplicate()));
        }

        @Override
        public void flush() {}

        @Override
        public void persist(long batchId, long afterBatchId, WriteBatch batch) {
            Persisted p = new Persisted(batchId, afterBatchId, batch);
            inFlight.addLast(p);
            persisted.add(p);
        }

        @Override
        public void load(StreamKey key, long fromSeq, int max) {}

        @Override
        public void accepted(long token, StreamKey key, long seq) {
            accepted.put(token, seq);
        }

        @Override
        public void rejected(long token, TetherException error) {
            assertThat(error).isInstanceOf(StoreException.class);
            rejected.add(token);
        }

        @Override
        public void acked(StreamKey key, long upToSeq) {}

        @Override
        public void outcome(StreamKey key, long seq, Outcome outcome) {}

        @Override
        public void deliver(StreamKey key, long generation, List<InboundMessage> messages) {
            runs.add(messages);
            generations.add(generation);
        }

        @Override
        public void event(TetherEvent event) {
            events.add(event);
        }
    }

    private void input(Consumer<Engine> in) {
        in.accept(engine);
        engine.endTurn(now);
    }

    /** {@code n} sends to b in one turn; returns the first token. */
    private long send(int n) {
        long first = nextToken;
        for (int i = 0; i < n; i++) {
            long token = nextToken++;
            engine.send(now, token, B, LANE, Map.of(), new byte[] {(byte) token}, 0);
        }
        engine.endTurn(now);
        return first;
    }

    /** The writer commits the oldest batch handed over. */
    private Persisted commitOldest() {
        Persisted p = inFlight.pollFirst();
        store.commit(p.batch());
        input(e -> e.onCommitted(now, p.id()));
        return p;
    }

    /** The oldest batch handed over fails, storing nothing. */
    private Persisted failOldest() {
        Persisted p = inFlight.pollFirst();
        input(e -> e.onCommitFailed(now, p.id(), new StoreException("disk full")));
        return p;
    }

    private void frame(Consumer<ByteBuffer> encoder) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        encoder.accept(b);
        b.flip();
        input(e -> e.onFrame(now, B, b));
    }

    private static List<Long> seqs(Persisted p) {
        return p.batch().appends().stream().map(StoredMessage::seq).toList();
    }

    private List<Long> dataSeqs() {
        List<Long> l = new ArrayList<>();
        for (Frame f : sent) {
            if (f instanceof Frame.Data d) {
                for (int i = 0; i < d.messages().size(); i++) l.add(d.firstSeq() + i);
            }
        }
        return l;
    }

    /** The ACK entries among {@code frames}, in order. */
    private static List<Frame.Ack> acks(List<Frame> frames) {
        return frames.stream()
                .filter(f -> f instanceof Frame.Acks)
                .flatMap(f -> ((Frame.Acks) f).entries().stream())
                .toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** Connects b and commits the batch with its store epoch, so that later batches hold only what a test does. */
    private void connectPeer() {
        input(e -> e.onPeerUp(now, B));
        frame(b -> FrameCodec.hello(b, B, B_EPOCH, B_BOOT, 0));
        commitOldest();
        sent.clear();
    }

    @Test
    void aBacklogGoesToTheWriterInFullBatchesTwoAtATimeAndIsAcceptedInOrder() {
        start(2, 4);

        send(10);

        assertThat(persisted).extracting(Persisted::after).containsExactly(0L, 1L);
        assertThat(seqs(persisted.get(0))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(seqs(persisted.get(1))).containsExactly(5L, 6L, 7L, 8L);
        assertThat(accepted).isEmpty();

        commitOldest();
        assertThat(accepted).containsExactly(entry(0L, 1L), entry(1L, 2L), entry(2L, 3L), entry(3L, 4L));
        assertThat(persisted).as("two sends wait: not a full batch").hasSize(2);

        commitOldest();
        assertThat(accepted.values()).containsExactlyElementsOf(range(1, 8));
        assertThat(persisted.get(2).after()).as("nothing in flight any more").isZero();
        assertThat(seqs(persisted.get(2))).containsExactly(9L, 10L);

        commitOldest();
        assertThat(accepted.keySet()).containsExactlyElementsOf(range(0, 9));
        assertThat(accepted.values()).containsExactlyElementsOf(range(1, 10));
        assertThat(engine.storeIdle()).isTrue();
    }

    @Test
    void commitSoonStartsABatchAtOnceEvenEmptyAndOneBeyondTheLimitWhileBatchesAreInFlight() {
        start(1, 4);
        send(1);
        send(1);
        assertThat(persisted)
                .as("one batch in flight, the second send waits for it")
                .hasSize(1);

        input(e -> e.commitSoon(now));
        assertThat(persisted)
                .as("the writer holds the first: one more starts at once")
                .hasSize(2);
        assertThat(persisted.get(1).after()).isEqualTo(persisted.get(0).id());
        assertThat(seqs(persisted.get(1))).containsExactly(2L);

        commitOldest();
        assertThat(persisted).hasSize(2);
        input(e -> e.commitSoon(now));
        assertThat(persisted)
                .as("nothing waits: an empty batch, beside the one in flight")
                .hasSize(3);
        assertThat(persisted.get(2).batch().isEmpty()).isTrue();

        commitOldest();
        commitOldest();
        assertThat(accepted.values()).containsExactly(1L, 2L);
        send(1);
        send(1);
        assertThat(persisted).as("without commitSoon the limit holds again").hasSize(4);
    }

    @Test
    void aPartialBatchWaitsForTheCommitInFlightAndThenTakesEverythingThatArrived() {
        start(2, 4);
        send(1);
        send(2);
        send(1);
        assertThat(persisted).as("3 waiting sends are not a full batch").hasSize(1);

        send(1);
        assertThat(persisted).as("4 are").hasSize(2);
        assertThat(seqs(persisted.get(1))).containsExactly(2L, 3L, 4L, 5L);

        send(1);
        commitOldest();
        assertThat(persisted)
                .as("one in flight again: the partial batch still waits")
                .hasSize(2);
        commitOldest();
        assertThat(seqs(persisted.get(2))).containsExactly(6L);
    }

    @Test
    void oneBatchInFlightDoesNotPipeline() {
        start(1, 4);
        send(10);
        assertThat(persisted).hasSize(1);
        assertThat(seqs(persisted.get(0))).hasSize(4);
        commitOldest();
        commitOldest();
        commitOldest();
        assertThat(persisted).extracting(Persisted::after).containsOnly(0L);
        assertThat(accepted.values()).containsExactlyElementsOf(range(1, 10));
    }

    @Test
    void answersMustComeInTheOrderOfTheBatches() {
        start(2, 4);
        send(8);

        assertThatThrownBy(() -> engine.onCommitted(now, 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> engine.onCommitFailed(now, 2, new StoreException("x")))
                .isInstanceOf(IllegalStateException.class);

        commitOldest();
        commitOldest();
        assertThat(accepted.values()).containsExactlyElementsOf(range(1, 8));
        assertThat(rejected).isEmpty();
    }

    /** DATA and OPEN carry only committed messages, though later ones are numbered in a batch in flight. */
    @Test
    void messagesGoOutOnlyOnceTheirOwnBatchIsCommitted() {
        start(2, 4);
        connectPeer();
        send(8);
        assertThat(sent).isEmpty();

        commitOldest();
        assertThat(sent).containsExactly(new Frame.Open(LANE, engine.epoch(), 0, 4));
        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 0, 0, 100));
        assertThat(dataSeqs()).containsExactlyElementsOf(range(1, 4));

        commitOldest();
        assertThat(dataSeqs()).containsExactlyElementsOf(range(1, 8));
    }

    @Test
    void aFailedBatchFailsTheBatchBehindItWhoseAnswerThenChangesNothing() {
        start(2, 4);
        send(8);

        failOldest();

        assertThat(rejected).as("both batches' sends, in order").containsExactlyElementsOf(range(0, 7));
        assertThat(events)
                .filteredOn(e -> e instanceof TetherEvent.StoreFailure)
                .hasSize(1);
        assertThat(engine.batchesInFlight()).isZero();
        assertThat(engine.unackedByPeer()).isEmpty();
        // The writer does not attempt batch 2 (EngineOutput#persist rule 2), and says so: nothing changes.
        assertThatThrownBy(() -> engine.onCommitted(now, 2))
                .as("a success for an abandoned batch breaks the writer's contract")
                .isInstanceOf(IllegalStateException.class);
        input(e -> e.onCommitFailed(now, 2, new StoreException("not attempted")));
        inFlight.clear();
        assertThat(events)
                .filteredOn(e -> e instanceof TetherEvent.StoreFailure)
                .hasSize(1);
        assertThat(rejected).hasSize(8);
        assertThat(store.readOutbox(B, LANE, 1, 100)).isEmpty();

        now += 100; // the engine retries the store after 100 ms
        long token = send(1);
        assertThat(persisted.get(2).after()).isZero();
        commitOldest();
        assertThat(accepted).as("numbering continues without a gap").containsExactlyEntriesOf(Map.of(token, 1L));
    }

    @Test
    void aFailureWithABatchBehindItKeepsTheLaterOnesAndRetriesTheEarlierWritesFirst() {
        start(3, 4);
        send(4);
        send(4);
        send(4);
        assertThat(engine.batchesInFlight()).isEqualTo(3);
        commitOldest();

        failOldest(); // batch 2; batch 3 goes with it

        assertThat(accepted.values()).containsExactlyElementsOf(range(1, 4));
        assertThat(rejected).containsExactlyElementsOf(range(4, 11));
        input(e -> e.onCommitFailed(now, 3, new StoreException("not attempted")));
        inFlight.clear();
        now += 100;
        long token = send(1);
        commitOldest();
        assertThat(accepted).containsEntry(token, 5L);
        assertThat(store.readOutbox(B, LANE, 1, 100))
                .extracting(StoredMessage::seq)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    /**
     * The hazard the writer's rule 2 is there for: batch 1 holds a dead letter and the cursor moving past it,
     * batch 2 a cursor further on. If batch 2 were stored without batch 1, a crash would lose the dead-lettered
     * message. The engine fails both, announces nothing durable, and writes the dead letter and the newest
     * cursor together in its next batch.
     */
    @Test
    void aCursorBehindAFailedDeadLetterWaitsForItAndAcksStayAtTheDurableCursor() {
        start(2, 1); // one send per batch: any send while a batch is in flight pipelines
        connectPeer();
        frame(b -> FrameCodec.open(b, LANE, B_EPOCH, 0, 3));
        commitOldest(); // the new stream's cursor
        frame(b -> {
            int countAt = FrameCodec.beginData(b, LANE, B_EPOCH, 1);
            for (int i = 0; i < 3; i++) {
                byte[] payload = {(byte) i};
                FrameCodec.message(b, 0, 0, Map.of(), payload, MessageChecksum.of(LANE, i + 1, 0, Map.of(), payload));
            }
            FrameCodec.endData(b, countAt, 3);
        });
        StreamKey ba = new StreamKey(B, LANE);
        input(e -> e.onSettled(
                now,
                Settlement.processed(ba, generations.get(0), 0)
                        .failed(1, "poison"))); // one attempt allowed: dead letter
        Persisted withDeadLetter = persisted.get(persisted.size() - 1);
        assertThat(withDeadLetter.batch().deadLetters()).hasSize(1);
        assertThat(runs).hasSize(2);
        input(e -> e.onSettled(now, Settlement.processed(ba, generations.get(1), 3)));
        send(1); // a full batch (one send) pipelines, taking the cursor at 3 along
        Persisted behind = persisted.get(persisted.size() - 1);
        assertThat(behind.after()).isEqualTo(withDeadLetter.id());
        assertThat(behind.batch().cursors())
                .singleElement()
                .extracting(c -> c.processedSeq())
                .isEqualTo(3L);
        sent.clear();

        failOldest();
        input(e -> e.onCommitFailed(now, behind.id(), new StoreException("not attempted")));
        inFlight.clear();

        assertThat(store.readDeadLetters(10)).isEmpty();
        assertThat(acks(sent)).allMatch(a -> a.processedSeq() == 0);
        assertThat(sent).noneMatch(f -> f instanceof Frame.OutcomeNotice);

        now += 100;
        input(e -> e.onTick(now));
        Persisted retry = persisted.get(persisted.size() - 1);
        assertThat(retry.batch().deadLetters()).hasSize(1);
        assertThat(retry.batch().cursors())
                .singleElement()
                .extracting(c -> c.processedSeq())
                .isEqualTo(3L);
        commitOldest();
        assertThat(store.readDeadLetters(10))
                .singleElement()
                .extracting(d -> d.seq())
                .isEqualTo(1L);
        assertThat(sent).contains(new Frame.OutcomeNotice(LANE, B_EPOCH, 1, Frame.OutcomeNotice.DEAD_LETTERED));
        assertThat(acks(sent)).last().extracting(a -> a.processedSeq()).isEqualTo(3L);
    }

    /** A batch takes a quarter of what waits, within [min, max]: large steps for a large backlog, then smaller. */
    @Test
    void aBacklogIsSplitInQuartersWithinTheBatchLimits() {
        start(2, 2, 8);
        send(1);
        assertThat(seqs(persisted.get(0))).as("the first takes what waits").containsExactly(1L);

        send(40);
        assertThat(persisted).extracting(p -> p.batch().appends().size()).containsExactly(1, 8);
        commitOldest();
        commitOldest();
        commitOldest();
        commitOldest();
        commitOldest();
        commitOldest();
        commitOldest();
        // 40 waiting: 8 (a quarter, capped), then 32 -> 8, 24 -> 6, 18 -> 4, 14 -> 3, 11 -> 2, 9 -> 2 ...
        assertThat(persisted).extracting(p -> p.batch().appends().size()).startsWith(1, 8, 8, 6, 4, 3, 2, 2);
        while (!inFlight.isEmpty()) commitOldest();
        assertThat(accepted.values()).containsExactlyElementsOf(range(1, 41));
        assertThat(persisted).allMatch(p -> p.batch().appends().size() <= 8);
    }

    @Test
    void fewerThanTheMinimumWaitingDoNotPipeline() {
        start(2, 3, 8);
        send(1);
        send(2);
        assertThat(persisted).hasSize(1);
        send(1);
        assertThat(persisted).hasSize(2);
        assertThat(seqs(persisted.get(1))).containsExactly(2L, 3L, 4L);
    }

    /** A peer epoch learnt while the batch storing the previous one commits is stored too, not forgotten. */
    @Test
    void aPeerEpochChangedDuringTheCommitOfTheOldOneIsStoredAfterIt() {
        start(2, 4);
        input(e -> e.onPeerUp(now, B));
        frame(b -> FrameCodec.hello(b, B, B_EPOCH, B_BOOT, 0));
        frame(b ->
                FrameCodec.hello(b, B, B_EPOCH + 1, B_BOOT + 1, 0)); // b's store was wiped meanwhile: a new incarnation

        commitOldest();

        assertThat(persisted).hasSize(2);
        assertThat(persisted.get(1).batch().peerEpochs()).containsExactly(new WriteBatch.PeerEpoch(B, B_EPOCH + 1));
        commitOldest();
        assertThat(store.reopenAfterCrash().open(Durability.MEMORY).peerEpochs())
                .containsEntry(B, B_EPOCH + 1);
    }

    @Test
    void batchSettingsMustBeConsistent() {
        assertThatThrownBy(() -> start(0, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> start(2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> start(2, 5, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
