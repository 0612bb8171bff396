package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.StoreException;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.spi.WriteBatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Mechanism E6: a stream whose receiver is the node itself (docs/BUS-DESIGN.md section 1.3). The same sender and
 * receiver state machines as for a remote stream, joined without frames: order, credit, a failed commit, expiry at
 * the receiving head, cancellation, retries and dead letters, and a restart that rebuilds the pair from the stored
 * outbox. Manual time, one engine, no threads.
 */
class LoopbackStreamTest {
    private static final NodeId A = NodeId.of("a");
    private static final StreamKey SELF = new StreamKey(A, "l");

    /** One node, counting every frame it writes: a loopback stream writes none. */
    private static EngineHarness single(int[] frames) {
        EngineHarness h = new EngineHarness("a");
        h.filter = (from, to, frame) -> {
            frames[0]++;
            return true;
        };
        return h;
    }

    private static void settle(EngineHarness h) {
        for (int i = 0; i < 20; i++) h.advance(20);
    }

    private static long appends(EngineHarness.Node n) {
        return n.committed.stream().mapToLong(b -> b.appends().size()).sum();
    }

    private static List<StreamStats> stats(EngineHarness.Node n) {
        return n.engine.streamStats();
    }

    @Test
    void messagesToItselfAreDeliveredInOrderWithoutFramesAndTheCursorIsTheTrim() {
        int[] frames = {0};
        EngineHarness h = single(frames);
        EngineHarness.Node a = h.node("a");
        for (int i = 0; i < 20; i++) a.send(A, "l", "m" + i);
        settle(h);

        assertThat(a.payloads())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20)
                        .mapToObj(i -> "m" + i)
                        .toList());
        assertThat(a.delivered).noneMatch(InboundMessage::redelivery);
        assertThat(a.accepted).hasSize(20);
        assertThat(a.acked.get(SELF)).isEqualTo(20);
        assertThat(frames[0]).isZero();
        // One outbox append per message, no cursor row: the receiving half's position is the sending half's trim.
        assertThat(appends(a)).isEqualTo(20);
        assertThat(a.committed).allMatch(b -> b.cursors().isEmpty());
        assertThat(a.committed.stream().flatMap(b -> b.trims().stream()).mapToLong(WriteBatch.Trim::upToSeq))
                .isNotEmpty()
                .allMatch(n -> n <= 20)
                .contains(20L);
        assertThat(a.store.readOutbox(A, "l", 1, 100)).isEmpty();
        // Both halves in the statistics, this node as the peer; never listed as a peer.
        assertThat(stats(a))
                .extracting(StreamStats::peer, StreamStats::direction, StreamStats::cursor)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(A, StreamStats.Direction.OUTBOUND, 20L),
                        org.assertj.core.groups.Tuple.tuple(A, StreamStats.Direction.INBOUND, 20L));
        assertThat(a.engine.peerInfos()).isEmpty();
        assertThat(a.engine.knows(A)).isTrue();
    }

    @Test
    void theReceiversCreditHoldsTheRestInTheOutboxUntilItSettles() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.hold.add(1L); // the application holds the first run
        for (int i = 0; i < 30; i++) a.send(A, "l", "m" + i);
        settle(h);

        StreamStats in = stats(a).get(1);
        assertThat(in.direction()).isEqualTo(StreamStats.Direction.INBOUND);
        assertThat(in.lastSeq()).isEqualTo(h.window); // handed over within the window, no more
        assertThat(stats(a).get(0).queued()).isEqualTo(30 - h.window);
        assertThat(a.payloads()).isEmpty();

        a.release();
        settle(h);
        assertThat(a.payloads()).hasSize(30).startsWith("m0", "m1").endsWith("m29");
        assertThat(a.acked.get(SELF)).isEqualTo(30);
    }

    @Test
    void beyondTheOutboxCacheMessagesArePagedFromTheStore() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.hold.add(1L);
        for (int i = 0; i < 900; i++) a.send(A, "l", "m" + i); // the outbox cache holds 256
        settle(h);
        assertThat(a.loads).isZero();
        a.release();
        settle(h);
        assertThat(a.payloads()).hasSize(900).startsWith("m0", "m1").endsWith("m899");
        assertThat(a.delivered).extracting(InboundMessage::seq).isSorted().doesNotHaveDuplicates();
        assertThat(a.loads).isPositive();
        assertThat(a.acked.get(SELF)).isEqualTo(900);
    }

    @Test
    void aFailedCommitRejectsItsSendsAndATrimThatFailedIsWrittenAgain() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.store.failNextCommits(1);
        long lost = a.send(A, "l", "lost");
        settle(h);
        assertThat(a.rejected.get(lost)).isInstanceOf(StoreException.class);

        a.hold.add(1L);
        a.send(A, "l", "m1");
        h.run(); // stored and handed out; the application holds it
        a.store.failNextCommits(1); // the batch with its trim
        a.release();
        h.run();
        assertThat(a.acked.get(SELF)).isNull();
        a.send(A, "l", "m2");
        settle(h);

        assertThat(a.payloads()).containsExactly("m1", "m2"); // the number of the lost send was used again
        assertThat(a.acked.get(SELF)).isEqualTo(2);
        assertThat(a.store.readOutbox(A, "l", 1, 10)).isEmpty();
        assertThat(a.delivered).extracting(InboundMessage::seq).containsExactly(1L, 2L);
    }

    @Test
    void messagesExpireAtTheReceivingHeadNotAtTheSender() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.hold.add(1L);
        a.send(A, "l", "first");
        for (int i = 0; i < 20; i++) a.send(A, "l", "short" + i, h.now + 50); // most wait beyond the credit
        settle(h); // past every deadline
        a.release();
        settle(h);

        assertThat(a.payloads()).containsExactly("first");
        assertThat(a.outcomes).hasSize(20).containsOnly(Outcome.EXPIRED);
        assertThat(a.events).noneMatch(e -> e instanceof TetherEvent.SendExpired);
        assertThat(a.events).filteredOn(e -> e instanceof TetherEvent.Expired).hasSize(20);
        assertThat(a.acked.get(SELF)).isEqualTo(21);
        assertThat(stats(a).get(1).expired()).isEqualTo(20);
        assertThat(stats(a).get(0).expired()).isZero();
    }

    @Test
    void aWithdrawnMessageIsSettledAsCancelledWhereverItIs() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.hold.add(2L);
        for (int i = 1; i <= 12; i++) a.send(A, "l", "m" + i);
        h.run(); // 1 settled, 2..9 handed over, the run out with 2 held; 10..12 wait beyond the credit
        assertThat(stats(a).get(0).queued()).isEqualTo(3);
        a.input(e -> e.cancel(h.now, SELF, 2)); // handed out: the application is told
        a.input(e -> e.cancel(h.now, SELF, 11)); // not handed over yet: goes over withdrawn
        a.release();
        settle(h);

        assertThat(a.cancelRequests).containsExactly(2L);
        assertThat(a.payloads()).doesNotContain("m2", "m11").contains("m1", "m3", "m12");
        assertThat(a.outcomesBySeq).containsExactlyInAnyOrder("l#2=CANCELLED", "l#11=CANCELLED");
        assertThat(a.acked.get(SELF)).isEqualTo(12);
    }

    @Test
    void aMessageHandedOverAndNotHandedOutIsCancelledBeforeItsTurn() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.poison.add(1L); // backs off: 2 and 3 are buffered at the receiving half, not handed out
        for (int i = 1; i <= 3; i++) a.send(A, "l", "m" + i);
        h.run();
        a.poison.clear();
        a.input(e -> e.cancel(h.now, SELF, 3));
        h.run(); // the withdrawal's mark is stored, then it is withdrawn at the receiving half, before the retry
        settle(h);

        assertThat(a.payloads()).containsExactly("m1", "m1", "m2");
        assertThat(a.cancelRequests).isEmpty();
        assertThat(a.outcomesBySeq).containsExactly("l#3=CANCELLED");
    }

    @Test
    void aFailingMessageIsRetriedThenDeadLetteredAndTheStreamGoesOn() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.poison.add(2L);
        for (int i = 1; i <= 4; i++) a.send(A, "l", "m" + i);
        settle(h);

        assertThat(a.payloads()).containsExactly("m1", "m2", "m2", "m2", "m3", "m4");
        assertThat(a.delivered)
                .filteredOn(m -> m.seq() == 2)
                .extracting(InboundMessage::redelivery)
                .containsExactly(false, true, true);
        assertThat(a.outcomesBySeq).containsExactly("l#2=DEAD_LETTERED");
        assertThat(a.store.readDeadLetters(10)).singleElement().satisfies(d -> {
            assertThat(d.from()).isEqualTo(A);
            assertThat(d.seq()).isEqualTo(2);
            assertThat(new String(d.payload())).isEqualTo("m2");
        });
        assertThat(a.acked.get(SELF)).isEqualTo(4);
        // The dead letter went in the batch that moved the position past it: no cursor row anywhere.
        assertThat(a.committed).allMatch(b -> b.cursors().isEmpty());
    }

    @Test
    void aRestartRebuildsThePairAndDeliversTheUnsettledAgainFlaggedAsRedeliveries() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        for (int i = 1; i <= 3; i++) a.send(A, "l", "m" + i);
        settle(h);
        a.hold.add(4L);
        for (int i = 4; i <= 6; i++) a.send(A, "l", "m" + i);
        h.run(); // 4..6 stored and handed out; the application never settles them
        a.crash();
        a.delivered.clear();
        a.hold.clear();
        settle(h); // no new send: the recovered messages go over at the first turn
        assertThat(a.payloads()).containsExactly("m4", "m5", "m6");
        a.send(A, "l", "m7");
        settle(h);

        assertThat(a.payloads()).containsExactly("m4", "m5", "m6", "m7");
        assertThat(a.delivered).extracting(InboundMessage::seq).containsExactly(4L, 5L, 6L, 7L);
        // Stored by the earlier lifetime: flagged; numbered by this one: exact.
        assertThat(a.delivered).extracting(InboundMessage::redelivery).containsExactly(true, true, true, false);
        assertThat(a.acked.get(SELF)).isEqualTo(7);
        assertThat(a.engine.peerInfos()).isEmpty(); // its stored stream makes no peer of the node
        assertThat(a.store.readOutbox(A, "l", 1, 10)).isEmpty();
    }

    @Test
    void aVolatileLoopbackStreamIsNeverStored() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        for (int i = 0; i < 5; i++) a.send(A, "_v.l", "v" + i);
        settle(h);

        assertThat(a.payloads()).containsExactly("v0", "v1", "v2", "v3", "v4");
        assertThat(a.acked.get(new StreamKey(A, "_v.l"))).isEqualTo(5);
        assertThat(a.batches)
                .allMatch(b -> b.appends().isEmpty()
                        && b.trims().isEmpty()
                        && b.cursors().isEmpty());
        assertThat(a.engine.messagesInMemory()).isZero();
    }

    @Test
    void aPurgeMovesTheReceivingHalfPastThePurgedMessages() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.poison.add(1L); // the head backs off for ever (retried), the rest waits behind it
        h.retry = new dev.tether.RetryPolicy(100, java.time.Duration.ofHours(1), java.time.Duration.ofHours(1), 1);
        a.crash();
        for (int i = 1; i <= 3; i++) a.send(A, "l", "m" + i);
        settle(h);
        long[] purged = new long[2];
        a.input(e -> System.arraycopy(e.purge(h.now, A, "l"), 0, purged, 0, 2));
        a.poison.clear();
        a.send(A, "l", "m4");
        settle(h);

        assertThat(purged).containsExactly(1, 3);
        assertThat(a.outcomes).containsExactly(Outcome.PURGED, Outcome.PURGED, Outcome.PURGED);
        assertThat(a.payloads()).containsExactly("m1", "m4");
        assertThat(a.acked.get(SELF)).isEqualTo(4);
        assertThat(a.store.readOutbox(A, "l", 1, 10)).isEmpty();
    }

    @Test
    void repliesToItselfTravelWithTheCursorTheyBelongTo() {
        EngineHarness h = single(new int[1]);
        EngineHarness.Node a = h.node("a");
        a.replies = (key, m) -> key.lane().equals("l")
                ? new Effect(A, "_reply", Map.of(), ("re " + new String(m.payload())).getBytes(), 0)
                : null;
        a.send(A, "l", "q");
        settle(h);

        assertThat(a.payloads()).containsExactly("q", "re q");
        assertThat(a.acked.get(new StreamKey(A, "_reply"))).isEqualTo(1);
        assertThat(a.committed).allMatch(b -> b.cursors().isEmpty());
    }
}
