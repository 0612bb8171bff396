package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several effects of one settlement (E7, docs/BUS-DESIGN.md, section 2.4): b settles each message from a with three
 * messages of its own (two to c, one to a), as a routing rule's copies are. They are appended in the store batch that
 * moves the cursor past the message, all or none after a failed batch or a crash; a failed attempt that is retried
 * stores none; a dead letter stores them with it.
 */
class SettlementEffectsTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final StreamKey FROM_A = new StreamKey(A, "l");

    /** Three nodes; b's application settles each message of a with copies on c's "tap1" and "tap2" and a's "echo". */
    private static EngineHarness copying() {
        EngineHarness h = new EngineHarness("a", "b", "c");
        h.node("b").routes = (key, m) -> List.of(
                new Effect(C, "tap1", Map.of("n", "1"), m.payload(), 0),
                new Effect(C, "tap2", Map.of("n", "2"), m.payload(), 0),
                new Effect(A, "echo", Map.of(), m.payload(), 0));
        h.connect("a", "b");
        h.connect("b", "c");
        return h;
    }

    /** The effects' appends in {@code w} (b's outbox rows on the three effect lanes). */
    private static long effectAppends(WriteBatch w) {
        return w.appends().stream()
                .filter(m -> m.lane().startsWith("tap") || m.lane().equals("echo"))
                .count();
    }

    /** Each committed batch of b that moves a's cursor on "l" by n appends exactly 3n effects, none elsewhere. */
    private static void assertEffectsRideWithTheirCursor(List<WriteBatch> batches) {
        long cursor = 0;
        for (WriteBatch w : batches) {
            long moved = 0;
            for (var c : w.cursors()) {
                if (c.from().equals(A) && c.lane().equals("l") && c.processedSeq() > cursor) {
                    moved = c.processedSeq() - cursor;
                    cursor = c.processedSeq();
                }
            }
            assertThat(effectAppends(w))
                    .as("effects in a batch moving the cursor by %d", moved)
                    .isEqualTo(3 * moved);
        }
    }

    /** b's stored outbox rows on {@code lane}, every committed batch together. */
    private static List<String> storedOn(EngineHarness h, String lane) {
        List<String> l = new ArrayList<>();
        for (WriteBatch w : h.node("b").committed) {
            for (StoredMessage m : w.appends()) {
                if (m.lane().equals(lane)) l.add(new String(m.payload()));
            }
        }
        return l;
    }

    @Test
    void everyEffectOfASettlementIsAppendedInTheBatchThatMovesItsCursorAndReachesItsStreamOnce() {
        EngineHarness h = copying();
        for (int i = 0; i < 12; i++) {
            h.node("a").send(B, "l", "m" + i);
            if (i % 5 == 0) h.run();
        }
        h.run();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) sent.add("m" + i);
        assertThat(storedOn(h, "tap1")).isEqualTo(sent);
        assertThat(storedOn(h, "tap2")).isEqualTo(sent);
        assertThat(storedOn(h, "echo")).isEqualTo(sent);
        assertEffectsRideWithTheirCursor(h.node("b").committed);
        assertThat(h.node("c").delivered).hasSize(24); // both taps, each message once
        assertThat(h.node("a").payloads()).isEqualTo(sent);
        assertThat(h.node("b").accepted).isEmpty(); // effects have no receipts
    }

    @Test
    void aFailedBatchIsWrittenAgainWithAllItsEffectsAndEachIsStoredOnce() {
        EngineHarness h = copying();
        h.node("a").send(B, "l", "first");
        h.run();
        h.node("b").store.failNextCommits(1); // the batch holding the five cursors' effects
        for (int i = 0; i < 5; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        for (int i = 0; i < 20; i++) h.advance(50);

        List<String> all = List.of("first", "m0", "m1", "m2", "m3", "m4");
        assertThat(storedOn(h, "tap1")).isEqualTo(all);
        assertThat(storedOn(h, "tap2")).isEqualTo(all);
        assertThat(storedOn(h, "echo")).isEqualTo(all);
        assertEffectsRideWithTheirCursor(h.node("b").committed);
        assertThat(h.node("c").delivered).hasSize(12);
        assertThat(h.node("a").payloads()).isEqualTo(all);
        for (String lane : List.of("tap1", "tap2", "echo")) { // numbered once: no gap, no repeat
            List<Long> seqs = new ArrayList<>();
            for (WriteBatch w : h.node("b").committed) {
                for (StoredMessage m : w.appends()) if (m.lane().equals(lane)) seqs.add(m.seq());
            }
            assertThat(seqs).as(lane).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        }
    }

    @Test
    void aCrashBetweenTheHandlerAndTheCommitStoresNoEffectAndTheRedeliveryStoresEachOnce() {
        EngineHarness h = copying();
        h.node("a").send(B, "l", "first");
        h.run();
        h.node("a").send(B, "l", "second");
        // Run until b's application settled "second" and its batch was handed to the store, then crash b before the
        // store answers: the handler ran, nothing of its settlement is stored.
        while (h.node("b").batches.stream().noneMatch(w -> effectAppends(w) > 0 && storesSecond(w))) {
            h.tasks.poll().run();
        }
        h.node("b").crash();
        assertThat(storedOn(h, "tap1")).containsExactly("first");
        h.connect("a", "b");
        h.connect("b", "c");
        h.run();
        for (int i = 0; i < 20; i++) h.advance(50);

        assertThat(h.node("b").payloads()).containsExactly("first", "second", "second"); // the handler ran twice
        assertThat(storedOn(h, "tap1")).containsExactly("first", "second"); // the lost batch's never
        assertThat(storedOn(h, "tap2")).containsExactly("first", "second");
        assertThat(h.node("c").payloads()).containsExactlyInAnyOrder("first", "first", "second", "second");
        assertThat(h.node("a").payloads()).containsExactly("first", "second");
    }

    private static boolean storesSecond(WriteBatch w) {
        return w.appends().stream().anyMatch(m -> new String(m.payload()).equals("second"));
    }

    @Test
    void aFailedAttemptThatIsRetriedStoresNoEffectAndTheSuccessStoresThemOnce() {
        EngineHarness h = copying();
        h.node("b").poison.add(1L);
        h.node("a").send(B, "l", "m");
        h.run(); // the first attempt fails: retried after 10 ms
        assertThat(h.node("b").payloads()).containsExactly("m");
        assertThat(storedOn(h, "tap1")).isEmpty();
        h.node("b").poison.clear();
        for (int i = 0; i < 5; i++) h.advance(50);

        assertThat(h.node("b").payloads()).containsExactly("m", "m");
        assertThat(storedOn(h, "tap1")).containsExactly("m");
        assertThat(storedOn(h, "tap2")).containsExactly("m");
        assertThat(storedOn(h, "echo")).containsExactly("m");
        assertEffectsRideWithTheirCursor(h.node("b").committed);
    }

    @Test
    void aMessageDeadLetteredAfterItsLastAttemptStoresItsEffectsWithItsDeadLetterAndCursor() {
        EngineHarness h = copying();
        h.node("b").poison.add(1L); // fails every attempt: 3, then dead-lettered
        h.node("a").send(B, "l", "bad");
        h.node("a").send(B, "l", "good");
        h.run();
        for (int i = 0; i < 10; i++) h.advance(50);

        assertThat(h.node("b").payloads()).containsExactly("bad", "bad", "bad", "good");
        assertThat(storedOn(h, "tap1")).containsExactly("bad", "good"); // once, not per attempt
        WriteBatch withDeadLetter = h.node("b").committed.stream()
                .filter(w -> !w.deadLetters().isEmpty())
                .findFirst()
                .orElseThrow();
        assertThat(withDeadLetter.appends())
                .extracting(m -> m.lane() + ":" + new String(m.payload()))
                .contains("tap1:bad", "tap2:bad", "echo:bad");
        assertThat(h.node("a").outcomes).contains(Outcome.DEAD_LETTERED);
        assertEffectsRideWithTheirCursor(h.node("b").committed);
    }

    @Test
    void aMessageThatBlocksItsStreamStoresNoEffect() {
        EngineHarness h = copying();
        h.failurePolicy = dev.tether.FailurePolicy.BLOCK;
        h.node("b").crash(); // again, with the policy
        h.connect("a", "b");
        h.connect("b", "c");
        h.node("b").poison.add(1L);
        h.node("a").send(B, "l", "bad");
        h.run();
        for (int i = 0; i < 10; i++) h.advance(50);

        assertThat(h.node("b").events).anySatisfy(e -> assertThat(e).isInstanceOf(TetherEvent.StreamBlocked.class));
        assertThat(storedOn(h, "tap1")).isEmpty();
        assertThat(h.node("b").committed)
                .allSatisfy(w -> assertThat(effectAppends(w)).isZero());
    }

    @Test
    void aRoutingRulesDeadLetterStoresItsEffectsWithIt() {
        EngineHarness h = new EngineHarness("a", "b", "c");
        h.connect("a", "b");
        h.connect("b", "c");
        EngineHarness.Node b = h.node("b");
        b.hold.add(1L); // the application holds the run: the test settles it
        h.node("a").send(B, "l", "dead");
        h.run();
        long gen = b.lastGeneration;
        List<Effect> copies = List.of(
                new Effect(C, "tap1", Map.of(), "dead".getBytes(), 0),
                new Effect(C, "tap2", Map.of(), "dead".getBytes(), 0));
        b.input(e -> e.onDeadLetterInRun(h.now, FROM_A, gen, 0, 1, "rule r: no", List.of(), copies));
        h.run();
        assertThat(storedOn(h, "tap1")).containsExactly("dead");
        assertThat(storedOn(h, "tap2")).containsExactly("dead");
        WriteBatch w = b.committed.stream()
                .filter(x -> !x.deadLetters().isEmpty())
                .findFirst()
                .orElseThrow();
        assertThat(effectAppends(w)).isEqualTo(2);
        assertThat(w.cursors()).anySatisfy(c -> assertThat(c.processedSeq()).isEqualTo(1));
        assertThat(h.node("c").payloads()).containsExactlyInAnyOrder("dead", "dead");
        assertThat(h.node("a").outcomes).containsExactly(Outcome.DEAD_LETTERED);
    }

    @Test
    void aPublishEffectIsNumberedByTheChannelLogInTheBatchOfItsCursorOnceAfterAFailedBatch() {
        EngineHarness h = new EngineHarness("a", "b", "c");
        h.node("b").routes = (key, m) -> List.of(Effect.publish("tap", Map.of("n", "1"), m.payload(), 0));
        h.connect("a", "b");
        h.connect("b", "c");
        h.node("b").input(e -> e.addReader(h.now, "tap", C, Engine.LOG_END));
        h.run();
        h.node("a").send(B, "l", "first");
        h.run();
        h.node("b").store.failNextCommits(1); // the batch holding the five cursors' publishes
        for (int i = 0; i < 5; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        for (int i = 0; i < 20; i++) h.advance(50);

        List<String> all = List.of("first", "m0", "m1", "m2", "m3", "m4");
        List<Long> seqs = new ArrayList<>();
        long cursor = 0;
        for (WriteBatch w : h.node("b").committed) {
            long moved = 0;
            for (var c : w.cursors()) {
                if (c.from().equals(A) && c.processedSeq() > cursor) {
                    moved = c.processedSeq() - cursor;
                    cursor = c.processedSeq();
                }
            }
            assertThat((long) w.publishes().size())
                    .as("publishes with their cursor")
                    .isEqualTo(moved);
            for (var m : w.publishes()) seqs.add(m.seq());
        }
        assertThat(seqs).as("numbered once by the log: no gap, no repeat").containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(h.node("c").payloads())
                .as("the reader gets each once, in order")
                .isEqualTo(all);
        assertThat(h.node("c").delivered)
                .allSatisfy(m -> assertThat(m.headers()).containsEntry("n", "1"));
        assertThat(h.node("b").accepted).isEmpty(); // effects have no receipts
        assertThat(h.node("a").payloads()).isEmpty();
    }
}
