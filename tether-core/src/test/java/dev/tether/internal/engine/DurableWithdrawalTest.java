package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.KeyValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A withdrawal on a stored stream is stored before it takes effect (docs/PROTOCOL.md, "Withdrawal"): the message is
 * held back until the mark is durable, every later transmission of it is a CANCELLED marker also after a sender
 * restart, and the mark goes with the trim. So a receiver never sees two versions of a stream, one without the
 * message and one with it. Manual time, no threads.
 */
class DurableWithdrawalTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    private static int frameType(ByteBuffer frame) {
        return frame.get(frame.position() + 2); // after the magic and the version
    }

    /** The withdrawal marks a's store holds. */
    private static List<String> marks(EngineHarness h) {
        List<String> keys = new ArrayList<>();
        for (KeyValue kv : h.node("a").store.readKeys(WithdrawnMarks.NAMESPACE, null, h.now, 100)) keys.add(kv.key());
        return keys;
    }

    /** The first deliveries at b, in order: a stream whose content never changed shows them ascending. */
    private static List<String> firstDeliveries(EngineHarness h) {
        Set<String> first = new LinkedHashSet<>(h.node("b").payloads());
        return List.copyOf(first);
    }

    /**
     * Simulation seed 520's history: a request withdrawn while stored and not transmitted goes out as a marker; the
     * receiver settles it unprocessed and hands the messages after it to its application, but its cursor never
     * commits and it crashes; the sender restarts from its store. The restarted sender still sends the marker, so
     * the receiver gets the same stream again: the withdrawn request is never delivered, nothing out of order.
     */
    @Test
    void aWithdrawalSurvivesASenderRestartSoTheReceiverNeverSeesTheMessageAfterItsSuccessors() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 4; i++) h.node("a").send(B, "l", "m" + i);
        h.run(); // stored, not transmitted: not connected yet
        h.node("a").input(e -> e.cancel(h.now, AB, 1));
        h.run(); // the mark is durable
        assertThat(marks(h)).containsExactly("b/l#1");

        h.node("b").holdCommits = true; // b's cursor past m4 is never stored
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m2", "m3", "m4");

        h.node("b").crash();
        h.node("b").holdCommits = false;
        h.node("a").crash();
        h.connect("a", "b");
        for (int i = 0; i < 20; i++) h.advance(50);

        assertThat(h.node("b").payloads()).containsExactly("m2", "m3", "m4", "m2", "m3", "m4");
        assertThat(firstDeliveries(h)).containsExactly("m2", "m3", "m4");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=CANCELLED");
        assertThat(h.node("a").acked.get(AB)).isEqualTo(4);
        assertThat(marks(h)).isEmpty(); // deleted with the trim
    }

    /**
     * Until its mark is durable a withdrawn message is held back, neither itself nor a marker: a crash before then
     * loses the withdrawal whole, and the receiver sees the message once, in its place.
     */
    @Test
    void aMessageIsHeldBackUntilItsMarkIsDurableAndACrashBeforeThenLosesTheWithdrawalWhole() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        List<Integer> dataFrames = new ArrayList<>();
        h.filter = (from, to, frame) -> {
            if (from.equals(A) && frameType(frame) == Frame.DATA) dataFrames.add(1);
            return true;
        };
        h.node("a").holdCommits = true;
        h.node("a").input(e -> e.cancel(h.now, AB, 2));
        h.connect("a", "b");
        for (int i = 0; i < 5; i++) h.advance(50);

        assertThat(h.node("b").payloads()).containsExactly("m1"); // m2 held back, and m3 behind it
        assertThat(marks(h)).isEmpty();

        h.node("a").crash(); // the batch with the mark is lost
        h.node("a").holdCommits = false;
        h.connect("a", "b");
        for (int i = 0; i < 20; i++) h.advance(50);

        assertThat(firstDeliveries(h)).containsExactly("m1", "m2", "m3");
        assertThat(h.node("a").outcomes).isEmpty();
        assertThat(dataFrames).isNotEmpty();
    }

    /** A message transmitted already gets its CANCEL only once the mark is durable. */
    @Test
    void theCancelOfATransmittedMessageWaitsForItsMark() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").poison.add(1L); // the first message fails: the rest of its run is not handed out
        h.connect("a", "b");
        for (int i = 1; i <= 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m1");
        h.node("b").poison.clear();
        int[] cancels = new int[1];
        h.filter = (from, to, frame) -> {
            if (frameType(frame) == Frame.CANCEL) cancels[0]++;
            return true;
        };

        h.node("a").holdCommits = true;
        h.node("a").input(e -> e.cancel(h.now, AB, 3));
        h.run();
        assertThat(cancels[0]).isZero();
        h.node("a").releaseCommits();
        h.run(); // the mark is stored, then the CANCEL goes, before b's retry hands the run out again
        assertThat(cancels[0]).isEqualTo(1);
        for (int i = 0; i < 10; i++) h.advance(20);

        assertThat(cancels[0]).isEqualTo(1);
        assertThat(h.node("b").payloads()).containsExactly("m1", "m1", "m2");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#3=CANCELLED");
        assertThat(marks(h)).isEmpty();
    }

    /** A failed batch with the mark writes it again with the next one; the message is held back meanwhile. */
    @Test
    void aMarkWhoseBatchFailedIsWrittenAgain() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 2; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        h.node("a").store.failNextCommits(1);
        h.node("a").input(e -> e.cancel(h.now, AB, 1));
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).isEmpty();
        assertThat(marks(h)).isEmpty();

        h.node("b").holdCommits = true;
        h.advance(200); // the retry after the failed commit
        assertThat(marks(h)).containsExactly("b/l#1");
        h.node("b").releaseCommits();
        for (int i = 0; i < 10; i++) h.advance(50);

        assertThat(h.node("b").payloads()).containsExactly("m2");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=CANCELLED");
        assertThat(marks(h)).isEmpty();
    }

    /** Marks of a stream this process does not have (or of settled messages) read at a restart are deleted. */
    @Test
    void staleMarksReadAtARestartAreDeleted() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("a").send(B, "l", "m1");
        h.run();
        dev.tether.spi.WriteBatch w = new dev.tether.spi.WriteBatch();
        WithdrawnMarks.put(w, new StreamKey(B, "gone"), 7); // no such stream
        WithdrawnMarks.put(w, AB, 5); // beyond the stream's last message
        w.put(new KeyValue(WithdrawnMarks.NAMESPACE, "junk", new byte[0], 0));
        h.node("a").store.commit(w);
        h.node("a").crash();
        h.connect("a", "b");
        for (int i = 0; i < 10; i++) h.advance(50);

        assertThat(h.node("b").payloads()).containsExactly("m1");
        assertThat(marks(h)).isEmpty();
    }

    /** Withdrawn, stored, then the sender restarts before connecting: its marker goes out, never the message. */
    @Test
    void aRestartedSenderSendsTheMarkerOfAMessageItNeverTransmitted() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        h.node("a").input(e -> e.cancel(h.now, AB, 2));
        h.run();
        h.node("a").crash();
        h.connect("a", "b");
        for (int i = 0; i < 10; i++) h.advance(50);

        assertThat(h.node("b").payloads()).containsExactly("m1", "m3");
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#2=CANCELLED");
        assertThat(marks(h)).isEmpty();
    }

    /** A loopback stream keeps its withdrawal over a restart too: the receiving half never gets the message. */
    @Test
    void aLoopbackWithdrawalSurvivesARestart() {
        EngineHarness h = new EngineHarness("a");
        StreamKey self = new StreamKey(A, "l");
        h.node("a").hold.add(3L); // the run with m3 waits: nothing after m1 is acknowledged
        for (int i = 1; i <= 3; i++) h.node("a").send(A, "l", "m" + i);
        h.run();
        h.node("a").input(e -> e.cancel(h.now, self, 2));
        h.run();
        assertThat(marks(h)).containsExactly("a/l#2");

        h.node("a").crash();
        h.node("a").hold.clear();
        for (int i = 0; i < 10; i++) h.advance(50);

        assertThat(h.node("a").payloads()).doesNotContain("m2");
        assertThat(h.node("a").outcomesBySeq).contains("l#2=CANCELLED");
        assertThat(marks(h)).isEmpty();
    }
}
