package dev.tether.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Channels;
import dev.tether.Durability;
import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.EngineConfig;
import dev.tether.internal.engine.EngineOutput;
import dev.tether.internal.engine.Frame;
import dev.tether.internal.engine.FrameCodec;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.Settlement;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Minimal reproductions of engine bugs the simulation found, driving one {@link Engine} by hand: node "a" is
 * the engine under test, its peer "b" is played by the test with hand-made frames.
 */
class EngineRegressionTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final String LANE = "lane";
    private static final long RTO = 100;
    private static final long B_EPOCH = 77;

    private final InMemoryStore store = new InMemoryStore(new Random(1));
    private final List<Frame> sent = new ArrayList<>();
    private final List<TetherEvent> events = new ArrayList<>();
    private final List<long[]> loads = new ArrayList<>();
    private final List<List<InboundMessage>> runs = new ArrayList<>();
    private final List<Long> generations = new ArrayList<>();
    /** Batches handed to persist and not committed yet, oldest first: their ids and writes. */
    private final java.util.ArrayDeque<Map.Entry<Long, WriteBatch>> pending = new java.util.ArrayDeque<>();

    private final Engine engine;
    private long now = 1_000;

    EngineRegressionTest() {
        EngineConfig cfg = new EngineConfig(
                A,
                Set.of(B),
                8,
                4096,
                1_000_000,
                RTO,
                1_000,
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 1.0),
                FailurePolicy.DEAD_LETTER,
                16);
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
            pending.add(Map.entry(batchId, batch));
        }

        @Override
        public void load(StreamKey key, long fromSeq, int max) {
            loads.add(new long[] {fromSeq, max});
        }

        @Override
        public void accepted(long token, StreamKey key, long seq) {}

        @Override
        public void rejected(long token, TetherException error) {}

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

    /** Commits the oldest batch the engine asked for, as the runtime's store writer would. */
    private void commit() {
        Map.Entry<Long, WriteBatch> b = pending.poll();
        store.commit(b.getValue());
        input(e -> e.onCommitted(now, b.getKey()));
    }

    /** Commits every batch asked for, also those asked for meanwhile. */
    private void commitAll() {
        while (!pending.isEmpty()) commit();
    }

    private void frame(Consumer<ByteBuffer> encoder) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        encoder.accept(b);
        b.flip();
        input(e -> e.onFrame(now, B, b));
    }

    private void send(int n) {
        for (int i = 0; i < n; i++) {
            long token = i;
            engine.send(now, token, B, LANE, Map.of(), new byte[] {(byte) i}, 0);
        }
        engine.endTurn(now);
        commit();
    }

    private long count(Class<? extends Frame> type) {
        return sent.stream().filter(type::isInstance).count();
    }

    private void tickUntil(long until) {
        while (now < until) {
            now += 10;
            input(e -> e.onTick(now));
        }
    }

    /**
     * A stream created by a send while the peer is connected had a retransmission timeout of 0, so its OPEN
     * was sent again on every tick until the receiver's ACK arrived.
     */
    @Test
    void aNewStreamWaitsTheRetransmissionTimeoutBeforeOpeningAgain() {
        input(e -> e.onPeerUp(now, B));
        send(1);
        assertThat(count(Frame.Open.class)).isEqualTo(1);

        tickUntil(now + RTO - 10);

        assertThat(count(Frame.Open.class))
                .as("OPENs before the timeout: %s", sent)
                .isEqualTo(1);
        tickUntil(now + 20);
        assertThat(count(Frame.Open.class)).as("OPEN again after the timeout").isEqualTo(2);
    }

    /** Receives OPEN(ackedSeq 0, lastSeq 3) and DATA 1..3 from b, processes them and commits the cursor. */
    private void receiveAndProcessThree() {
        frame(b -> FrameCodec.open(b, LANE, B_EPOCH, 0, 1));
        commit(); // the new stream's cursor
        frame(b -> {
            int countAt = FrameCodec.beginData(b, LANE, B_EPOCH, 1);
            for (int i = 0; i < 3; i++) {
                byte[] payload = {(byte) i};
                FrameCodec.message(b, 0, 0, Map.of(), payload, MessageChecksum.of(LANE, i + 1, 0, Map.of(), payload));
            }
            FrameCodec.endData(b, countAt, 3);
        });
        assertThat(runs).hasSize(1);
        input(e -> e.onSettled(now, Settlement.processed(new StreamKey(B, LANE), generations.get(0), 3)));
        commit();
        sent.clear();
    }

    /**
     * The transport may reorder frames. An OPEN retransmitted while the receiver's ACK was on its way can be
     * overtaken by DATA and arrive after the receiver processed beyond its lastSeq; that is not a sender whose
     * store went backwards, and must be answered, not reported as a protocol error.
     */
    @Test
    void aStaleOpenOvertakenByDataIsAnswered() {
        input(e -> e.onPeerUp(now, B));
        receiveAndProcessThree();

        frame(b -> FrameCodec.open(b, LANE, B_EPOCH, 0, 1)); // the stale OPEN, sent when seq 1 was the last

        assertThat(events).noneMatch(e -> e instanceof TetherEvent.ProtocolError);
        assertThat(sent).containsExactly(new Frame.Acks(List.of(new Frame.Ack(LANE, B_EPOCH, 3, 3, 11))));
    }

    /** The same when the stale OPEN arrives on a later connection, as a transport delaying frames may do. */
    @Test
    void aStaleOpenFromAnEarlierConnectionIsAnswered() {
        input(e -> e.onPeerUp(now, B));
        receiveAndProcessThree();
        input(e -> e.onPeerDown(now, B));
        input(e -> e.onPeerUp(now, B));
        sent.clear();

        frame(b -> FrameCodec.open(b, LANE, B_EPOCH, 0, 1));

        assertThat(events).noneMatch(e -> e instanceof TetherEvent.ProtocolError);
        assertThat(sent).containsExactly(new Frame.Acks(List.of(new Frame.Ack(LANE, B_EPOCH, 3, 3, 11))));
    }

    /**
     * A sender whose store went backwards (restored from an old copy) learns it from the receiver's answer to
     * its OPEN, reports it once and stops the stream for good: once new sends reach the receiver's cursor, the
     * same ACK would otherwise pass and trim messages that were never sent, reporting them processed.
     */
    @Test
    void aSenderWhoseStoreWentBackwardsDetectsItAndStopsTheStream() {
        input(e -> e.onPeerUp(now, B));
        send(1);

        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 5, 5, 13)); // the receiver processed up to 5

        assertThat(events)
                .filteredOn(e -> e instanceof TetherEvent.ProtocolError)
                .singleElement()
                .asString()
                .contains("old copy");
        send(5); // new content reusing sequence numbers 2..6
        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 5, 5, 13));
        tickUntil(now + 3 * RTO);
        assertThat(count(Frame.Data.class)).isZero();
        assertThat(engine.unackedByPeer()).containsEntry(B, 6L); // nothing trimmed, nothing reported processed
        assertThat(events)
                .filteredOn(e -> e instanceof TetherEvent.ProtocolError)
                .hasSize(1);
    }

    /**
     * After a reconnect with nothing to send, a stale ACK from the earlier connection (the transport may deliver
     * it late) opened the stream with the credit of that time. Messages sent afterwards were beyond that
     * credit, nothing was in flight, so no timer ran and no probe asked for fresh credit: the stream stalled
     * for good.
     */
    @Test
    void aStreamOutOfCreditWithNothingInFlightProbesForCredit() {
        input(e -> e.onPeerUp(now, B));
        send(1);
        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 0, 0, 1));
        assertThat(count(Frame.Data.class)).isEqualTo(1);
        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 1, 1, 2));
        commit(); // the trim
        input(e -> e.onPeerDown(now, B));
        input(e -> e.onPeerUp(now, B));
        // Stale, from the first connection, with no credit beyond what it acknowledges: it opens the stream (it
        // holds what the stream starts after), which then has credit for nothing.
        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 1, 1, 1));
        send(2);
        sent.clear();

        tickUntil(now + 2 * RTO);

        assertThat(count(Frame.Open.class)).as("probe for credit: %s", sent).isPositive();
        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 1, 1, 3));
        assertThat(sent).filteredOn(f -> f instanceof Frame.Data).isNotEmpty();
    }

    /**
     * A reader removed and added again past the receiver's cursor (a leave, then a join from the log's end) was opened
     * by an ACK its receiver had sent for the earlier reader, without an OPEN: the receiver never moved up to the new
     * start, asked again and again for the messages before it, which the new reader's stream does not have, and the
     * stream stalled for good (the simulation, seed 641 with concurrent handlers).
     */
    @Test
    void aReaderAddedAgainPastItsReceiverOpensWithAnOpen() {
        String lane = Channels.lane("ch");
        input(e -> e.onPeerUp(now, B));
        input(e -> e.addReader(now, "ch", B, 0));
        commitAll(); // its reader row: the stream may open
        publish(2);
        frame(b -> FrameCodec.ack(b, lane, engine.epoch(), 0, 0, 8)); // opens it
        frame(b -> FrameCodec.ack(b, lane, engine.epoch(), 2, 0, 8)); // b received 1 and 2, processed neither yet
        input(e -> e.removeReader(now, "ch", B));
        commitAll();
        publish(2); // 3 and 4, which b, no reader now, does not get
        input(e -> e.addReader(now, "ch", B, Engine.LOG_END)); // b joins again: after 4
        commitAll();
        sent.clear();

        frame(b -> FrameCodec.ack(b, lane, engine.epoch(), 2, 0, 8)); // b's ACK from before, arriving now
        publish(1); // 5

        assertThat(sent)
                .as("the stream opens with an OPEN that moves b past 4")
                .first()
                .isEqualTo(new Frame.Open(lane, engine.epoch(), 4, 5));
        frame(b -> FrameCodec.ack(b, lane, engine.epoch(), 4, 4, 12)); // b moved up
        assertThat(sent)
                .filteredOn(f -> f instanceof Frame.Data d && d.firstSeq() == 5)
                .hasSize(1);
    }

    private void publish(int n) {
        for (int i = 0; i < n; i++) engine.publish(now, 100 + i, "ch", Map.of(), new byte[] {(byte) i}, 0);
        engine.endTurn(now);
        commitAll();
    }

    /**
     * A failed outbox read was never retried: once no more ACKs arrived to pump the stream, the messages
     * beyond the in-memory page stayed unsent forever.
     */
    @Test
    void aFailedOutboxReadIsRetried() {
        send(300); // beyond the in-memory page of 256
        input(e -> e.onPeerUp(now, B));
        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 0, 0, 1_000));
        assertThat(count(Frame.Data.class)).isPositive();
        assertThat(loads).isEmpty();
        frame(b -> FrameCodec.ack(b, LANE, engine.epoch(), 256, 256, 1_000)); // frees the page
        assertThat(loads).hasSize(1);
        assertThat(loads.get(0)[0]).isEqualTo(257);

        input(e -> e.onLoadFailed(now, new StreamKey(B, LANE), new StoreException("disk on fire")));
        tickUntil(now + 200);

        assertThat(loads).as("outbox reads").hasSizeGreaterThan(1);
        assertThat(loads.get(1)[0]).isEqualTo(257);
    }
}
