package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A run that grows while it is out ({@link Engine#extendRun}), as a concurrent consumer's does: buffered messages join
 * it fresh, the application is told once when more arrive after it asked, progress and the run's end count the grown
 * part, and messages it reported handed out come again flagged after a failure below them. No time passes.
 */
class ExtendRunTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey FROM_A = new StreamKey(A, "l");

    private static List<Long> seqs(List<InboundMessage> l) {
        return l.stream().map(InboundMessage::seq).toList();
    }

    /** b holds the run with message 1; a sent messages 1..n. */
    private static EngineHarness heldRun(int n) {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").hold.add(1L);
        h.connect("a", "b");
        h.node("a").send(B, "l", "m1");
        h.run();
        for (int i = 2; i <= n; i++) h.node("a").send(B, "l", "m" + i);
        h.run();
        return h;
    }

    @Test
    void bufferedMessagesJoinTheRunFreshAndTheApplicationIsToldOnceWhenMoreArrive() {
        EngineHarness h = heldRun(4);
        EngineHarness.Node b = h.node("b");
        long gen = b.lastGeneration;
        List<InboundMessage> more = new ArrayList<>();
        b.input(e -> more.addAll(e.extendRun(h.now, FROM_A, gen, 1, 2)));
        assertThat(seqs(more)).containsExactly(2L, 3L);
        assertThat(more).noneMatch(InboundMessage::redelivery);
        more.clear();
        b.input(e -> more.addAll(e.extendRun(h.now, FROM_A, gen, 3, 5)));
        assertThat(seqs(more)).containsExactly(4L); // fewer than asked for: told when more arrive
        assertThat(b.runsCanGrow).isEmpty();

        h.node("a").send(B, "l", "m5");
        h.node("a").send(B, "l", "m6");
        h.run();
        assertThat(b.runsCanGrow).containsExactly(gen); // once, not per message
        more.clear();
        b.input(e -> more.addAll(e.extendRun(h.now, FROM_A, gen, 4, 5)));
        assertThat(seqs(more)).containsExactly(5L, 6L);

        // A report of another generation changes nothing; the run's own end acknowledges the grown part too.
        b.input(e -> assertThat(e.extendRun(h.now, FROM_A, gen + 1, 6, 5)).isEmpty());
        b.input(e -> e.onProgress(h.now, FROM_A, gen, 3, List.of()));
        b.input(e -> e.onSettled(h.now, Settlement.processed(FROM_A, gen, 6)));
        h.run();
        assertThat(h.node("a").acked.get(new StreamKey(B, "l"))).isEqualTo(6);
    }

    @Test
    void messagesReportedHandedOutAboveAFailureComeAgainFlaggedTheOthersFresh() {
        EngineHarness h = heldRun(5);
        EngineHarness.Node b = h.node("b");
        long gen = b.lastGeneration;
        List<InboundMessage> more = new ArrayList<>();
        b.input(e -> more.addAll(e.extendRun(h.now, FROM_A, gen, 1, 4)));
        assertThat(seqs(more)).containsExactly(2L, 3L, 4L, 5L);
        // 2 failed; 3 and 4 were handed to the consumer, 5 never was.
        b.input(e -> e.extendRun(h.now, FROM_A, gen, 4, 0));
        b.hold.clear();
        int before = b.delivered.size();
        b.input(e -> e.onSettled(
                h.now, Settlement.processed(FROM_A, gen, 1).failed(2, "failed").retryAfter(0)));
        for (int i = 0; i < 10; i++) h.advance(20);

        List<InboundMessage> again = b.delivered.subList(before, b.delivered.size());
        assertThat(seqs(again)).containsExactly(2L, 3L, 4L, 5L);
        assertThat(again.stream().filter(InboundMessage::redelivery).map(InboundMessage::seq))
                .containsExactly(2L, 3L, 4L);
        assertThat(h.node("a").acked.get(new StreamKey(B, "l"))).isEqualTo(5);
    }
}
