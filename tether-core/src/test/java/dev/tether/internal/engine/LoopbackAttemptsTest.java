package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attempts a loopback stream's messages carry, now that a message handed out once is counted by position
 * ({@link FirstAttempts}) rather than by an object of its own: every hand-out says its attempt and whether it may
 * have been seen before, through failures, retries, a dead letter, messages of a failed run it never reached, a run
 * grown while out and the consumer's report of what it handed out. Manual time, one engine, no threads.
 */
class LoopbackAttemptsTest {
    private static final NodeId A = NodeId.of("a");
    private static final StreamKey SELF = new StreamKey(A, "l");

    private static void settle(EngineHarness h) {
        for (int i = 0; i < 20; i++) h.advance(20);
    }

    /** Each hand-out as "seq:attempt", with "r" if flagged as a redelivery. */
    private static List<String> handOuts(List<InboundMessage> l) {
        return l.stream()
                .map(m -> m.seq() + ":" + m.attempt() + (m.redelivery() ? "r" : ""))
                .toList();
    }

    @Test
    void aFailingMessageCountsEachAttemptAndTheMessagesAfterItStayFirstAttempts() {
        EngineHarness h = new EngineHarness("a"); // 3 attempts, then the dead-letter queue
        EngineHarness.Node a = h.node("a");
        a.poison.add(3L);
        for (int i = 1; i <= 6; i++) a.send(A, "l", "m" + i);
        settle(h);

        // 4..6 were in the runs that failed at 3, never reached: each is handed out once, as a first attempt.
        assertThat(handOuts(a.delivered)).containsExactly("1:1", "2:1", "3:1", "3:2r", "3:3r", "4:1", "5:1", "6:1");
        assertThat(a.events)
                .filteredOn(e -> e instanceof TetherEvent.Redelivery)
                .extracting(e -> ((TetherEvent.Redelivery) e).attempt())
                .containsExactly(2, 3);
        assertThat(a.events)
                .filteredOn(e -> e instanceof TetherEvent.DeadLettered)
                .singleElement()
                .satisfies(e ->
                        assertThat(((TetherEvent.DeadLettered) e).attempts()).isEqualTo(3));
        assertThat(a.outcomesBySeq).containsExactly("l#3=DEAD_LETTERED");
        assertThat(a.acked.get(SELF)).isEqualTo(6);
    }

    @Test
    void aRetriedRunFlagsOnlyItsFailedHeadAndFindsTheRestFresh() {
        EngineHarness h = new EngineHarness("a");
        EngineHarness.Node a = h.node("a");
        a.poison.add(2L);
        for (int i = 1; i <= 4; i++) a.send(A, "l", "m" + i);
        h.run(); // the run 1..4 fails at 2
        a.poison.clear();
        settle(h);

        assertThat(handOuts(a.delivered)).containsExactly("1:1", "2:1", "2:2r", "3:1", "4:1");
        assertThat(a.acked.get(SELF)).isEqualTo(4);
    }

    @Test
    void messagesReportedHandedOutAboveAFailureComeAgainCountedTheOthersFresh() {
        EngineHarness h = new EngineHarness("a");
        EngineHarness.Node a = h.node("a");
        a.hold.add(1L);
        a.send(A, "l", "m1");
        h.run();
        for (int i = 2; i <= 5; i++) a.send(A, "l", "m" + i);
        h.run();
        long gen = a.lastGeneration;
        List<InboundMessage> more = new ArrayList<>();
        a.input(e -> more.addAll(e.extendRun(h.now, SELF, gen, 1, 4)));
        assertThat(handOuts(more)).containsExactly("2:1", "3:1", "4:1", "5:1");
        // 2 failed; 3 and 4 were handed to the consumer, 5 never was.
        a.input(e -> e.extendRun(h.now, SELF, gen, 4, 0));
        a.hold.clear();
        int before = a.delivered.size();
        a.input(e -> e.onSettled(
                h.now, Settlement.processed(SELF, gen, 1).failed(2, "failed").retryAfter(0)));
        settle(h);

        // A flagged message is the first of its run: 2, 3 and 4 each start one; 5 joins 4's as a first attempt.
        assertThat(handOuts(a.delivered.subList(before, a.delivered.size())))
                .containsExactly("2:2r", "3:2r", "4:2r", "5:1");
        assertThat(a.acked.get(SELF)).isEqualTo(5);
    }
}
