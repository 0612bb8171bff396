package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.QueueFullException;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.UnknownPeerException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine alone: no threads, no clock, every step explicit. */
class EngineTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    private static List<String> numbered(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add("m" + i);
        return l;
    }

    @Test
    void deliversInOrderWithinCreditAndTrimsTheOutbox() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        for (int i = 0; i < 50; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(numbered(50));
        assertThat(h.node("a").acked.get(AB)).isEqualTo(50);
        assertThat(h.node("a").store.readOutbox(B, "l", 1, 100)).isEmpty();
        assertThat(h.node("a").accepted).hasSize(50);
        // One cursor row per stream per batch, never one row per message.
        for (var batch : h.node("b").batches) assertThat(batch.cursors()).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void backlogBeyondTheCacheIsPagedFromTheStore() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 0; i < 900; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(numbered(900));
        assertThat(h.node("a").loads).isPositive();
    }

    @Test
    void memoryPerStreamIsBoundedByTheWindowNotTheHistory() {
        EngineHarness h = new EngineHarness("a", "b");
        EngineConfig cfg = h.config(A);
        for (int i = 0; i < 900; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(h.node("a").engine.messagesInMemory()).isLessThanOrEqualTo(cfg.pageMessages());
        h.node("b").poison.add(1L); // the receiver's application is stuck: its buffer must stay within the window
        h.node("b").crash();
        h.connect("a", "b");
        for (int i = 0; i < 5; i++) h.advance(5);
        assertThat(h.node("b").engine.messagesInMemory()).isLessThanOrEqualTo(cfg.window());
        assertThat(h.node("a").engine.messagesInMemory()).isLessThanOrEqualTo(cfg.pageMessages());
    }

    @Test
    void rejectsUnknownPeersAndFullStreams() {
        EngineHarness h = new EngineHarness("a", "b");
        long t = h.node("a").send(NodeId.of("c"), "l", "x");
        assertThat(h.node("a").rejected.get(t)).isInstanceOf(UnknownPeerException.class);
        for (int i = 0; i < 1000; i++) h.node("a").send(B, "l", "m" + i);
        long full = h.node("a").send(B, "l", "one too many");
        assertThat(h.node("a").rejected.get(full)).isInstanceOf(QueueFullException.class);
    }

    @Test
    void failedCommitRejectsItsSendsAndLeavesNoGap() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.run();
        h.node("a").store.failNextCommits(1);
        long lost = h.node("a").send(B, "l", "lost");
        h.run();
        assertThat(h.node("a").rejected.get(lost)).isInstanceOf(StoreException.class);
        assertThat(h.node("a").events).anyMatch(e -> e instanceof TetherEvent.StoreFailure);
        h.advance(200);
        long ok = h.node("a").send(B, "l", "kept");
        h.run();
        assertThat(h.node("a").accepted.get(ok).seq()).isEqualTo(1);
        assertThat(h.node("b").payloads()).containsExactly("kept");
    }

    @Test
    void droppedFramesAreRetransmittedAndDuplicatesDropped() {
        EngineHarness h = new EngineHarness("a", "b");
        int[] n = {0};
        h.filter = (from, to, frame) -> ++n[0] % 3 != 0; // lose every third frame, any type
        h.connect("a", "b");
        for (int i = 0; i < 100; i++) h.node("a").send(B, "l", "m" + i);
        for (int i = 0; i < 200 && h.node("a").acked.getOrDefault(AB, 0L) < 100; i++) h.advance(100);
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(numbered(100));
        assertThat(h.node("a").acked.get(AB)).isEqualTo(100);
    }

    @Test
    void receiverCrashBeforeCursorCommitRedeliversFlagged() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, "l", "once");
        // Run until b has delivered but before its cursor batch commits.
        while (h.node("b").delivered.isEmpty()) h.tasks.poll().run();
        h.node("b").crash();
        h.tasks.clear();
        h.disconnect("a", "b");
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("once", "once");
        assertThat(h.node("b").delivered.get(1).redelivery()).isTrue();
    }

    @Test
    void newSenderIncarnationRestartsTheStreamInsteadOfDroppingDuplicates() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        for (int i = 0; i < 5; i++) h.node("a").send(B, "l", "old" + i);
        h.run();
        h.node("a").wipe();
        h.disconnect("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, "l", "new0");
        h.run();
        assertThat(h.node("b").payloads()).endsWith("new0");
        assertThat(h.node("b").events)
                .anyMatch(e -> e instanceof TetherEvent.Resync r && r.reason().contains("new incarnation"));
    }

    @Test
    void poisonIsDeadLetteredInTheSameBatchAsTheCursorAndReportedToTheSender() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").poison.add(2L);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        for (int i = 0; i < 10; i++) h.advance(20);
        assertThat(h.node("b").payloads()).containsExactly("m0", "m1", "m1", "m1", "m2");
        var dlBatch = h.node("b").batches.stream()
                .filter(b -> !b.deadLetters().isEmpty())
                .findFirst()
                .orElseThrow();
        assertThat(dlBatch.cursors())
                .singleElement()
                .satisfies(c -> assertThat(c.processedSeq()).isGreaterThanOrEqualTo(2));
        assertThat(h.node("a").outcomes).containsExactly(Outcome.DEAD_LETTERED);
        assertThat(h.node("b").store.readDeadLetters(10)).hasSize(1);
    }

    @Test
    void aMessageNobodyTakesMovesTheCursorAndTellsTheSenderNoSuchHandler() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").notTaken.add(2L);
        h.connect("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "m" + i);
        for (int i = 0; i < 10; i++) h.advance(20);
        assertThat(h.node("b").payloads()).containsExactly("m0", "m1", "m2"); // handed to the runtime once each
        assertThat(h.node("a").outcomes).containsExactly(Outcome.NO_SUCH_HANDLER);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        assertThat(h.node("b").engine.streamStats()).singleElement().satisfies(s -> {
            assertThat(s.expired()).isZero();
            assertThat(s.delivered()).isEqualTo(2);
        });
    }

    @Test
    void aMessageExpiringWhileTheOneBeforeIsHandledIsSettledExpiredAndTheNextFollows() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").slow.put(1L, 100L); // the application takes 100 ms over message 1
        h.node("a").send(B, "l", "m0");
        h.node("a").send(B, "l", "m1", h.now + 50);
        h.node("a").send(B, "l", "m2");
        h.run();
        h.connect("a", "b"); // all three arrive together: one run
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0", "m2");
        assertThat(h.node("b").events).anyMatch(e -> e instanceof TetherEvent.Expired x && x.seq() == 2);
        assertThat(h.node("a").outcomes).containsExactly(Outcome.EXPIRED);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        assertThat(h.node("b").engine.streamStats()).singleElement().satisfies(s -> {
            assertThat(s.expired()).isEqualTo(1);
            assertThat(s.delivered()).isEqualTo(2);
        });
    }

    /**
     * The receiver's own check at the head (the runtime's check before each hand-out is a second line): a message
     * buffered while the run before it was held, whose deadline passed meanwhile, is settled expired by the engine and
     * never handed out; the next run starts after it.
     */
    @Test
    void aBufferedMessageWhoseDeadlinePassedIsSettledExpiredWithoutBeingHandedOut() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("b").hold.add(1L); // b's application holds on to m0's run
        h.node("a").send(B, "l", "m0");
        h.run();
        h.node("a").send(B, "l", "ttl", h.now + 50);
        h.node("a").send(B, "l", "m2");
        h.run(); // ttl and m2 buffered at b behind the held run
        h.advance(100); // ttl's deadline passes while it waits
        h.node("b").release();
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0", "m2");
        assertThat(h.node("b").runStarts)
                .as("no run began with the expired message")
                .containsExactly(1L, 3L);
        assertThat(h.node("b").events).anyMatch(e -> e instanceof TetherEvent.Expired x && x.seq() == 2);
        assertThat(h.node("a").outcomes).containsExactly(Outcome.EXPIRED);
    }

    @Test
    void theSenderExpiresUntransmittedMessagesAtTheirDeadlineAndTheReceiverGetsMarkers() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a").send(B, "l", "head", h.now + 50);
        h.node("a").send(B, "l", "kept");
        h.node("a").send(B, "l", "middle", h.now + 60);
        h.node("a").send(B, "l", "last");
        h.run();
        h.advance(100); // b never connected: nothing was transmitted
        assertThat(h.node("a").outcomes).containsExactly(Outcome.EXPIRED, Outcome.EXPIRED);
        assertThat(h.node("a").events)
                .filteredOn(e -> e instanceof TetherEvent.SendExpired)
                .containsExactly(new TetherEvent.SendExpired(B, "l", 1), new TetherEvent.SendExpired(B, "l", 3));
        assertThat(h.node("a").store.readOutbox(B, "l", 1, 10))
                .extracting(m -> m.seq())
                .containsExactly(2L, 3L, 4L);
        assertThat(h.node("a").engine.streamStats())
                .singleElement()
                .satisfies(s -> assertThat(s.expired()).isEqualTo(2));
        assertThat(h.node("a").engine.unackedByPeer()).containsEntry(B, 2L);

        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("kept", "last");
        assertThat(h.node("b").events)
                .filteredOn(e -> e instanceof TetherEvent.Expired)
                .containsExactly(new TetherEvent.Expired(A, "l", 1), new TetherEvent.Expired(A, "l", 3));
        assertThat(h.node("a").acked.get(AB)).isEqualTo(4);
        assertThat(h.node("a").store.readOutbox(B, "l", 1, 10)).isEmpty();
        assertThat(h.node("a").outcomes)
                .containsExactly(Outcome.EXPIRED, Outcome.EXPIRED, Outcome.EXPIRED, Outcome.EXPIRED);
    }

    @Test
    void aTransmittedMessageIsLeftToTheReceiverToExpire() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("b").slow.put(1L, 200L);
        h.node("a").send(B, "l", "m0");
        h.node("a").send(B, "l", "ttl", h.now + 50);
        h.run(); // both transmitted; m0's handling takes 200 ms, past ttl's deadline
        h.advance(100);
        assertThat(h.node("a").events).noneMatch(e -> e instanceof TetherEvent.SendExpired);
        assertThat(h.node("b").payloads()).containsExactly("m0");
        assertThat(h.node("b").events).anyMatch(e -> e instanceof TetherEvent.Expired x && x.seq() == 2);
        assertThat(h.node("a").outcomes).containsExactly(Outcome.EXPIRED);
    }

    @Test
    void aSenderRestartedAfterExpiringItsHeadMakesTheReceiverSkipIt() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, "l", "m0");
        h.run();
        h.disconnect("a", "b");
        h.node("a").send(B, "l", "ttl", h.now + 50);
        h.node("a").send(B, "l", "kept");
        h.run();
        h.advance(100); // expired and trimmed while b is away
        h.run();
        h.node("a").crash(); // the store holds the trim, not b's cursor
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m0", "kept");
        assertThat(h.node("b").events).anyMatch(e -> e instanceof TetherEvent.Resync r && r.cursor() == 2);
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
    }

    @Test
    void blockPolicyStopsTheStreamAtThePoisonMessage() {
        EngineHarness h = new EngineHarness("a", "b");
        h.failurePolicy = FailurePolicy.BLOCK;
        h.node("b").crash(); // pick up the policy
        h.node("b").poison.add(1L);
        h.connect("a", "b");
        h.node("a").send(B, "l", "bad");
        h.node("a").send(B, "l", "behind");
        for (int i = 0; i < 10; i++) h.advance(20);
        assertThat(h.node("b").payloads()).containsExactly("bad", "bad", "bad");
        assertThat(h.node("b").events).anyMatch(e -> e instanceof TetherEvent.StreamBlocked);
    }

    @Test
    void anOpenLostBeforeThePeerCouldHearItIsResentWhenItsHelloArrives() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a").send(B, "l", "early");
        h.run();
        // a learns of b first and its OPEN is lost (b is not listening yet); no time passes at all.
        boolean[] dropOpen = {true};
        h.filter = (from, to, frame) -> !(dropOpen[0] && from.equals(A) && frame.get(2) == Frame.OPEN);
        h.node("a").input(e -> e.onPeerUp(h.now, B));
        h.run();
        dropOpen[0] = false;
        h.node("b").input(e -> e.onPeerUp(h.now, A)); // b's HELLO reaches a: a opens again at once
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("early");
    }

    @Test
    void malformedFramesAreReportedAndIgnored() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("b").input(e -> e.onFrame(h.now, A, ByteBuffer.wrap(new byte[] {0x54, FrameCodec.VERSION, 42})));
        h.node("b").input(e -> e.onFrame(h.now, NodeId.of("stranger"), ByteBuffer.wrap(new byte[] {1})));
        assertThat(h.node("b").engine.counters().protocolErrors()).isEqualTo(2);
        h.node("a").send(B, "l", "fine");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("fine");
    }
}
