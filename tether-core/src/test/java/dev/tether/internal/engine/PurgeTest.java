package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.spi.WriteBatch;
import org.junit.jupiter.api.Test;

/**
 * An operator's purge of an outbox ({@link Engine#purge}): the stored, unacknowledged messages settle as PURGED, the
 * next batch trims them (recording them as taken care of), and the receiver moves past them on the OPEN that states
 * it, reporting a resync. Manual time, no threads.
 */
class PurgeTest {
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    @Test
    void purgedMessagesAreNeverSentTheirOutcomeIsPurgedAndTheReceiverMovesPastThem() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "old" + i);
        h.node("a").send(B, "other", "kept");
        h.run(); // stored, not transmitted: not connected yet
        long[] r = new long[2];
        h.node("a").input(e -> System.arraycopy(e.purge(h.now, B, "l"), 0, r, 0, 2));
        h.run();
        assertThat(r).containsExactly(1, 3);
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=PURGED", "l#2=PURGED", "l#3=PURGED");
        assertThat(h.node("a").acked.get(AB)).isEqualTo(3);
        assertThat(h.node("a").committed).flatExtracting(WriteBatch::trims).contains(new WriteBatch.Trim(B, "l", 3));

        h.node("a").send(B, "l", "new");
        h.connect("a", "b");
        for (int i = 0; i < 10; i++) h.advance(20);
        assertThat(h.node("b").payloads()).containsExactlyInAnyOrder("new", "kept");
        assertThat(h.node("b").events)
                .anyMatch(e -> e instanceof TetherEvent.Resync s && s.lane().equals("l"));
        assertThat(h.node("a").acked.get(AB)).isEqualTo(4);
    }

    @Test
    void aPurgeIsStoredARestartedSenderDoesNotSendThemEither() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 0; i < 3; i++) h.node("a").send(B, "l", "old" + i);
        h.run();
        h.node("a").input(e -> e.purge(h.now, null, null));
        h.run();
        h.node("a").crash();
        h.connect("a", "b");
        for (int i = 0; i < 10; i++) h.advance(20);
        assertThat(h.node("b").payloads()).isEmpty();
        h.node("a").send(B, "l", "after");
        for (int i = 0; i < 10; i++) h.advance(20);
        assertThat(h.node("b").payloads()).containsExactly("after");
    }

    @Test
    void aPurgeWhileConnectedTellsTheReceiverAtOnceAndTheStreamGoesOn() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").hold.add(1L);
        h.connect("a", "b");
        for (int i = 0; i < 12; i++) h.node("a").send(B, "l", "m" + i);
        h.run(); // m0..m7 are out (the receiver's window is 8), held by the application; m8..m11 wait for credit
        h.node("a").input(e -> e.purge(h.now, B, null));
        h.run();
        assertThat(h.node("a").outcomes).containsOnly(Outcome.PURGED).hasSize(12);
        h.node("b").release(); // what was handed out is processed: the purge came too late for it
        for (int i = 0; i < 10; i++) h.advance(20);
        assertThat(h.node("b").payloads()).doesNotContain("m8", "m9", "m10", "m11");
        assertThat(h.node("b").events).anyMatch(e -> e instanceof TetherEvent.Resync);
        h.node("a").send(B, "l", "after");
        for (int i = 0; i < 10; i++) h.advance(20);
        assertThat(h.node("b").payloads()).endsWith("after").doesNotHaveDuplicates();
        assertThat(h.node("a").acked.get(AB)).isEqualTo(13);
    }

    @Test
    void nothingToPurgeChangesNothing() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("a").send(B, "l", "m");
        for (int i = 0; i < 5; i++) h.advance(20);
        long[] r = new long[2];
        h.node("a").input(e -> System.arraycopy(e.purge(h.now, null, null), 0, r, 0, 2));
        assertThat(r).containsExactly(0, 0);
        assertThat(h.node("a").outcomes).doesNotContain(Outcome.PURGED);
    }
}
