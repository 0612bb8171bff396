package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StreamStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A drop (overflow policy DROP_OLDEST) is stored before it takes effect (docs/PROTOCOL.md, "Dropping on the sender"):
 * until the batch with its trim or its {@code _dropped} record is durable, its DROPPED marker and everything after it
 * in the stream are held back, and the application is not told DROPPED. So a sender crash in between loses the drop
 * whole (the message goes as itself, once, in its place) instead of sending a marker first and the message after the
 * restart. Manual time, no threads.
 */
class DurableDropTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    private static boolean drop(EngineHarness h) {
        boolean[] r = new boolean[1];
        h.node("a").input(e -> r[0] = e.dropOldest(h.now, AB));
        return r[0];
    }

    private static int frameType(ByteBuffer frame) {
        return frame.get(frame.position() + 2); // after the magic and the version
    }

    /** The first deliveries at b, in order: a stream whose content never changed shows them ascending. */
    private static List<String> firstDeliveries(EngineHarness h) {
        return List.copyOf(new LinkedHashSet<>(h.node("b").payloads()));
    }

    private static long droppedAtB(EngineHarness h) {
        return h.node("b").engine.streamStats().stream()
                .filter(s -> s.direction() == StreamStats.Direction.INBOUND
                        && s.peer().equals(A))
                .mapToLong(StreamStats::dropped)
                .sum();
    }

    private static void settle(EngineHarness h) {
        for (int i = 0; i < 20; i++) h.advance(50);
    }

    /**
     * The window: a's drop of m1 goes out as a marker while the batch with its trim is not durable yet; b settles the
     * marker and hands out m2..m4, but its own cursor is not stored; both crash. Without the hold the restarted a,
     * which still stores m1, sends it, and b hands it out after its successors (and a's application was told
     * DROPPED). With it nothing left a before the crash, and the restarted stream is m1..m4 in order.
     */
    @Test
    void aDropIsHeldBackUntilDurableSoACrashNeverSendsTheMessageAfterItsMarker() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 4; i++) h.node("a").send(B, "l", "m" + i);
        h.run(); // stored, not transmitted: not connected yet
        h.node("a").holdCommits = true; // the batch with the drop's trim is never answered
        assertThat(drop(h)).isTrue();
        h.node("b").holdCommits = true; // b's cursor is never stored either
        h.connect("a", "b");
        for (int i = 0; i < 5; i++) h.advance(50);

        assertThat(h.node("a").outcomesBySeq)
                .as("DROPPED before the drop is durable")
                .isEmpty();
        assertThat(h.node("b").payloads())
                .as("the marker, and what follows it, held back")
                .isEmpty();

        h.node("a").crash();
        h.node("a").holdCommits = false;
        h.node("b").crash();
        h.node("b").holdCommits = false;
        h.connect("a", "b");
        settle(h);

        assertThat(firstDeliveries(h)).containsExactly("m1", "m2", "m3", "m4");
        assertThat(droppedAtB(h)).isZero();
        assertThat(h.node("a").outcomesBySeq).isEmpty();
        assertThat(h.node("a").acked.get(AB)).isEqualTo(4);
    }

    /**
     * The application's side of the window: told DROPPED before the drop was durable, a crash made the restarted
     * sender deliver the message after all. Now DROPPED comes once the trim is durable, and the marker after it.
     */
    @Test
    void droppedIsReportedOnceTheDropIsDurableAndTheMarkerGoesAfterIt() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        h.node("a").holdCommits = true;
        assertThat(drop(h)).isTrue();
        h.run();
        assertThat(h.node("a").outcomesBySeq).isEmpty();

        h.node("a").releaseCommits();
        h.run();
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=DROPPED");
        assertThat(h.node("a").committed.get(h.node("a").committed.size() - 1).trims())
                .extracting(t -> t.upToSeq())
                .containsExactly(1L);

        h.node("a").crash(); // after the drop is durable: it stays dropped
        h.connect("a", "b");
        settle(h);
        assertThat(h.node("b").payloads()).containsExactly("m2", "m3");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=DROPPED");
    }

    /** A crash before the drop is durable: the application was never told DROPPED, and the message is delivered. */
    @Test
    void aCrashBeforeTheDropIsDurableLosesTheDropWhole() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        h.node("a").holdCommits = true;
        assertThat(drop(h)).isTrue();
        h.run();
        List<String> toldBeforeCrash = new ArrayList<>(h.node("a").outcomesBySeq);

        h.node("a").crash();
        h.node("a").holdCommits = false;
        h.connect("a", "b");
        settle(h);

        assertThat(h.node("b").payloads()).containsExactly("m1", "m2", "m3");
        assertThat(toldBeforeCrash).as("told DROPPED, yet m1 was processed").isEmpty();
    }

    /**
     * A drop behind an unsettled message is carried by its {@code _dropped} record: the marker waits for it, and a
     * failed batch writes the record again, still holding the marker back.
     */
    @Test
    void aDropBehindAnUnsettledMessageWaitsForItsRecordWhichAFailedBatchWritesAgain() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("b").hold.add(1L);
        h.node("a").send(B, "l", "m1"); // transmitted, held by b's application: m2's row stays after its drop
        h.run();
        h.disconnect("a", "b");
        for (int i = 2; i <= 4; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        h.node("a").store.failNextCommits(1);
        assertThat(drop(h)).isTrue(); // 2
        h.connect("a", "b");
        h.node("b").release();
        h.run();
        assertThat(h.node("a").outcomesBySeq).isEmpty();
        assertThat(h.node("b").payloads()).containsExactly("m1"); // m2's marker and m3, m4 held back
        assertThat(h.node("a").store.readKeys(DroppedRows.NAMESPACE, null, h.now, 10))
                .isEmpty();

        h.advance(200); // the retry after the failed commit writes the record again
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#2=DROPPED");
        settle(h);
        assertThat(h.node("b").payloads()).containsExactly("m1", "m3", "m4");
        assertThat(droppedAtB(h)).isEqualTo(1);
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#2=DROPPED");
        assertThat(h.node("a").store.readKeys(DroppedRows.NAMESPACE, null, h.now, 10))
                .as("the record goes once the trim passed it")
                .isEmpty();
    }

    /**
     * A message dropped while its batch is being stored is settled when that batch commits, but DROPPED and its marker
     * wait for the next batch, the one that stores the drop.
     */
    @Test
    void aDropOfAMessageInABatchBeingStoredWaitsForTheBatchThatStoresTheDrop() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a").holdCommits = true;
        h.node("a").send(B, "l", "m1");
        h.node("a").send(B, "l", "m2");
        assertThat(drop(h)).isTrue(); // 1, in the batch held
        h.connect("a", "b");
        h.node("a").releaseOldestCommit();
        h.run();
        assertThat(h.node("a").accepted).hasSize(1); // m1 stored; m2 in the next batch, with the drop
        assertThat(h.node("a").outcomesBySeq).isEmpty();
        assertThat(h.node("b").payloads()).isEmpty();

        h.node("a").releaseCommits();
        settle(h);
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=DROPPED");
        assertThat(h.node("b").payloads()).containsExactly("m2");
        assertThat(droppedAtB(h)).isEqualTo(1);
    }

    /** Frames a sends while its drop is held: OPEN goes (nothing depends on the drop), no DATA. */
    @Test
    void noDataLeavesWhileTheDropIsHeld() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 2; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        Set<Integer> types = new java.util.HashSet<>();
        h.filter = (from, to, frame) -> {
            if (from.equals(A)) types.add(frameType(frame));
            return true;
        };
        h.node("a").holdCommits = true;
        assertThat(drop(h)).isTrue();
        h.connect("a", "b");
        for (int i = 0; i < 5; i++) h.advance(50);
        assertThat(types).contains((int) Frame.OPEN).doesNotContain((int) Frame.DATA);
    }

    /**
     * A loopback stream never drops a stored message (only sends waiting for their batch), so the engine never writes it
     * a {@code _dropped} record, and its trims are written by its receiving half, past the record's rewrite. A record
     * read at a restart for one (written by no engine: an edited or foreign store), for a stream this process does not
     * have or for a volatile lane is deleted with the first batch, and the stream's messages are delivered as stored.
     */
    @Test
    void recordsOfLoopbackOrUnknownStreamsReadAtARestartAreDeleted() {
        EngineHarness h = new EngineHarness("a", "b");
        StreamKey self = new StreamKey(A, "l");
        h.node("a").hold.add(1L); // the run with m1 waits: m1..m3 stay stored over the restart
        for (int i = 1; i <= 3; i++) h.node("a").send(A, "l", "m" + i);
        h.run();
        assertThat(h.node("a").engine.dropOldest(h.now, self))
                .as("stored loopback messages are not droppable")
                .isFalse();
        dev.tether.spi.WriteBatch w = new dev.tether.spi.WriteBatch();
        DroppedRows.write(w, self, new long[] {1, 2});
        DroppedRows.write(w, new StreamKey(B, "gone"), new long[] {4, 4});
        // a volatile stream is never stored, so no restart knows it: its record is one of an unknown stream
        DroppedRows.write(w, new StreamKey(B, dev.tether.Lanes.VOLATILE_PREFIX + "v"), new long[] {1, 1});
        h.node("a").store.commit(w);

        h.node("a").crash();
        h.node("a").hold.clear();
        settle(h);

        assertThat(h.node("a").payloads()).containsExactly("m1", "m2", "m3");
        assertThat(h.node("a").store.readKeys(DroppedRows.NAMESPACE, null, h.now, 10))
                .isEmpty();
    }
}
