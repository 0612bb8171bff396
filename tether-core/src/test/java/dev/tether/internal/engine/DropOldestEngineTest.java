package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.MessageDroppedException;
import dev.tether.NodeId;
import dev.tether.StreamStats;
import org.junit.jupiter.api.Test;

/**
 * {@link Engine#dropOldest} (overflow policy DROP_OLDEST, docs/BUS-DESIGN.md 4.3), with the harness's manual time:
 * exactly the oldest message never transmitted is dropped, settled here as DROPPED and replaced on the wire by a
 * DROPPED marker the receiver settles and counts; nothing transmitted is ever dropped.
 */
class DropOldestEngineTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey AB = new StreamKey(B, "l");

    private static boolean drop(EngineHarness h) {
        boolean[] r = new boolean[1];
        h.node("a").input(e -> r[0] = e.dropOldest(h.now, AB));
        return r[0];
    }

    private static StreamStats inbound(EngineHarness h) {
        return h.node("b").engine.streamStats().stream()
                .filter(s -> s.direction() == StreamStats.Direction.INBOUND
                        && s.peer().equals(A))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void dropsTheOldestStoredMessageOfAStreamWhoseReceiverIsAway() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 5; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(h.node("a").engine.outbound().unacked(AB)).isEqualTo(5);

        assertThat(drop(h)).isTrue();
        h.run();
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=DROPPED");
        assertThat(h.node("a").engine.outbound().unacked(AB)).isEqualTo(4);
        assertThat(h.node("a").committed.stream().flatMap(b -> b.trims().stream()))
                .extracting(t -> t.upToSeq())
                .containsExactly(1L); // its row goes with the range trim

        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m2", "m3", "m4", "m5");
        assertThat(inbound(h).dropped()).isEqualTo(1); // the marker stood in for message 1
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=DROPPED"); // the receiver's notice is not news
        assertThat(h.node("a").engine.outbound().unacked(AB)).isZero();
    }

    @Test
    void neverDropsATransmittedMessageAndDropsTheOldestAfterThem() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("b").hold.add(1L); // b's application holds on to 1..3: transmitted, not acknowledged
        for (int i = 1; i <= 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(drop(h)).as("every message is transmitted").isFalse();

        h.disconnect("a", "b");
        for (int i = 4; i <= 6; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(drop(h)).isTrue();
        assertThat(drop(h)).isTrue();
        h.run();
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#4=DROPPED", "l#5=DROPPED");
        assertThat(h.node("a").engine.outbound().unacked(AB)).isEqualTo(4); // 1, 2, 3 and 6

        h.connect("a", "b");
        h.node("b").release();
        h.run();
        h.advance(1_000);
        assertThat(h.node("b").payloads()).containsExactly("m1", "m2", "m3", "m6");
        assertThat(inbound(h).dropped()).isEqualTo(2);
        assertThat(h.node("a").engine.outbound().unacked(AB)).isZero();
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#4=DROPPED", "l#5=DROPPED");
    }

    @Test
    void dropsASendWaitingForItsBatchBeforeItIsStored() {
        EngineHarness h = new EngineHarness("a", "b");
        h.bursts = true; // inputs wait for the end of the turn: the sends are not in a batch yet
        long first = h.node("a").send(B, "l", "m1");
        h.node("a").send(B, "l", "m2");
        assertThat(drop(h)).isTrue();
        h.runBursts();
        assertThat(h.node("a").rejected.get(first)).isInstanceOf(MessageDroppedException.class);
        assertThat(h.node("a").accepted).doesNotContainKey(first);
        assertThat(h.node("a").engine.outbound().unacked(AB)).isEqualTo(1);
        h.connect("a", "b");
        h.runBursts();
        assertThat(h.node("b").payloads()).containsExactly("m2");
        assertThat(inbound(h).dropped()).isZero(); // never numbered: no marker needed
    }

    @Test
    void dropsAMessageWhoseBatchIsBeingStoredWhenItCommits() {
        EngineHarness h = new EngineHarness("a", "b");
        long first = h.node("a").send(B, "l", "m1"); // its batch is in flight until the harness runs
        h.node("a").send(B, "l", "m2");
        assertThat(drop(h)).isTrue();
        assertThat(h.node("a").engine.outbound().unacked(AB)).isEqualTo(1);
        h.run();
        assertThat(h.node("a").accepted).containsKey(first); // stored, then settled as dropped
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=DROPPED");
        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m2");
        assertThat(inbound(h).dropped()).isEqualTo(1);
    }

    @Test
    void afterARestartStoredMessagesAreNotDroppableButNewOnesAre() {
        EngineHarness h = new EngineHarness("a", "b");
        for (int i = 1; i <= 3; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        assertThat(drop(h)).isTrue(); // 1: settled at once, trimmed with the next batch
        h.run();
        h.node("a").crash();
        // An earlier process may have transmitted anything it stored: 2 and 3 are not droppable.
        assertThat(drop(h)).isFalse();
        h.node("a").send(B, "l", "m4");
        h.run();
        assertThat(drop(h)).isTrue();
        h.run();
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#1=DROPPED", "l#4=DROPPED");

        h.connect("a", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("m2", "m3");
        assertThat(inbound(h).dropped()).isEqualTo(1); // 4's marker; 1 was trimmed before the restart, skipped by OPEN
        assertThat(h.node("a").engine.outbound().unacked(AB)).isZero();
    }

    @Test
    void aMessageDroppedAheadOfAnUnsettledOneIsNeverSentAfterACrash() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("b").hold.add(1L);
        h.node("a").send(B, "l", "m1"); // transmitted, held: m2's row stays stored after its drop
        h.run();
        h.disconnect("a", "b");
        h.node("a").send(B, "l", "m2");
        h.node("a").send(B, "l", "m3");
        h.run();
        assertThat(drop(h)).isTrue(); // 2
        h.node("a").send(B, "l", "m4"); // the batch that stores it holds the record of 2's drop
        h.run();
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#2=DROPPED");

        h.node("a").crash();
        h.node("b").crash(); // b's application never took m1: it comes again
        h.node("b").hold.clear();
        h.connect("a", "b");
        h.run();
        h.advance(1_000);
        assertThat(h.node("b").payloads()).containsExactly("m1", "m3", "m4");
        assertThat(inbound(h).dropped()).isEqualTo(1); // 2 went out as a marker after the restart
        assertThat(h.node("a").engine.outbound().unacked(AB)).isZero();
        h.run();
        assertThat(h.node("a").store.readKeys(DroppedRows.NAMESPACE, null, h.now, 10))
                .as("the record goes once the trim passed its numbers")
                .isEmpty();
    }

    @Test
    void aMessageExpiredHereIsNotDroppedAgainNorExpiredAfterItsDrop() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        h.node("b").hold.add(1L);
        h.node("a").send(B, "l", "m1"); // transmitted, held: what follows is dropped and expired ahead of it
        h.run();
        h.disconnect("a", "b");
        h.node("a").send(B, "l", "short", h.now + 10);
        h.node("a").send(B, "l", "m3", h.now + 10);
        h.node("a").send(B, "l", "m4");
        h.run();
        assertThat(drop(h)).isTrue(); // 2
        h.run(); // the drop is stored: DROPPED
        h.advance(20); // 3 expires here; 2, dropped, is not expired as well
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#2=DROPPED", "l#3=EXPIRED");
        assertThat(drop(h)).isTrue(); // 4, not 3
        assertThat(drop(h)).isFalse();
        h.run();
        assertThat(h.node("a").outcomesBySeq).containsExactly("l#2=DROPPED", "l#3=EXPIRED", "l#4=DROPPED");
        assertThat(h.node("a").engine.outbound().unacked(AB)).isEqualTo(1);

        h.connect("a", "b");
        h.node("b").release();
        h.run();
        h.advance(1_000);
        assertThat(h.node("b").payloads()).containsExactly("m1");
        assertThat(inbound(h).dropped()).isEqualTo(2);
        assertThat(inbound(h).expired()).isEqualTo(1);
        assertThat(h.node("a").engine.outbound().unacked(AB)).isZero();
    }
}
