package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The redelivery flag: never false for a message the application was handed before (in any lifetime of the
 * receiver), and false whenever the receiver knows it never handed the message out, however the sender flags
 * its frames. Each test also checks that the sender did flag frames, so the receiver's precision is exercised.
 */
class RedeliveryFlagTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    /** Two messages per DATA frame: the harness's frames hold 4096 bytes. */
    private static String payload(int i) {
        return ("m" + i + " ").repeat(1500 / 3).substring(0, 1500);
    }

    private static int number(InboundMessage m) {
        String s = new String(m.payload());
        return Integer.parseInt(s.substring(1, s.indexOf(' ')));
    }

    /** The DATA frames a sent, as decoded; a frame that fails {@code drop} is passed on. */
    private static final class DataTap implements EngineHarness.FrameFilter {
        final List<Frame.Data> passed = new ArrayList<>();
        Predicate<Frame.Data> drop = d -> false;

        @Override
        public boolean pass(NodeId from, NodeId to, ByteBuffer frame) {
            if (!from.equals(A) || frame.get(2) != Frame.DATA) return true;
            Frame.Data d = (Frame.Data) FrameCodec.decode(frame);
            if (drop.test(d)) return false;
            passed.add(d);
            return true;
        }

        long flaggedMessages() {
            return passed.stream()
                    .flatMap(d -> d.messages().stream())
                    .filter(m -> m.has(Frame.Message.REDELIVERY))
                    .count();
        }
    }

    private static void sendNumbered(EngineHarness h, int from, int to) {
        for (int i = from; i <= to; i++) h.node("a").send(B, "l", payload(i));
    }

    private static List<Integer> flagged(List<InboundMessage> delivered) {
        return delivered.stream()
                .filter(InboundMessage::redelivery)
                .map(m -> number(m))
                .toList();
    }

    /** Redelivery events and the stream's counter agree with the flags of {@code delivered} (this lifetime's). */
    private static void assertEventsMatchFlags(EngineHarness.Node b, List<InboundMessage> delivered) {
        List<Long> flaggedSeqs = delivered.stream()
                .filter(InboundMessage::redelivery)
                .map(InboundMessage::seq)
                .toList();
        List<Long> eventSeqs = b.events.stream()
                .filter(e -> e instanceof TetherEvent.Redelivery)
                .map(e -> ((TetherEvent.Redelivery) e).seq())
                .toList();
        assertThat(eventSeqs).as("Redelivery events").isEqualTo(flaggedSeqs);
        StreamStats s = b.engine.streamStats().stream()
                .filter(x -> x.direction() == StreamStats.Direction.INBOUND)
                .findFirst()
                .orElseThrow();
        assertThat(s.redelivered()).as("redelivered counter").isEqualTo(flaggedSeqs.size());
    }

    @Test
    void aReconnectDoesNotFlagMessagesTheReceiverNeverHandedOut() {
        EngineHarness h = new EngineHarness("a", "b");
        DataTap tap = new DataTap();
        h.filter = tap;
        h.connect("a", "b");
        sendNumbered(h, 1, 2);
        h.run();
        // The connection dies with everything after the first two messages in flight.
        tap.drop = d -> true;
        sendNumbered(h, 3, 12);
        h.run();
        h.disconnect("a", "b");
        tap.drop = d -> false;
        h.connect("a", "b");
        h.run();

        assertThat(h.node("b").delivered)
                .extracting(m -> number(m))
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(tap.flaggedMessages())
                .as("resent frames flagged by the sender")
                .isPositive();
        assertThat(flagged(h.node("b").delivered)).isEmpty();
        assertEventsMatchFlags(h.node("b"), h.node("b").delivered);
    }

    @Test
    void goBackNRetransmissionsAreNotFlagged() {
        EngineHarness h = new EngineHarness("a", "b");
        DataTap tap = new DataTap();
        boolean[] dropped = {false};
        // Lose the first transmission of the frame carrying #5: the frames after it are dropped as a gap.
        tap.drop = d -> !dropped[0] && d.firstSeq() == 5 && (dropped[0] = true);
        h.filter = tap;
        h.connect("a", "b");
        sendNumbered(h, 1, 16);
        for (int i = 0; i < 20 && h.node("b").delivered.size() < 16; i++) h.advance(100);

        assertThat(h.node("b").delivered).extracting(m -> number(m)).hasSize(16);
        assertThat(tap.flaggedMessages()).isPositive();
        assertThat(flagged(h.node("b").delivered)).isEmpty();
    }

    @Test
    void handlerRetriesAreFlaggedAndOnlyThem() {
        EngineHarness h = new EngineHarness("a", "b");
        h.node("b").poison.add(2L); // fails all 3 attempts, then is dead-lettered
        h.connect("a", "b");
        sendNumbered(h, 1, 4);
        for (int i = 0; i < 10; i++) h.advance(20);

        List<InboundMessage> d = h.node("b").delivered;
        assertThat(d).extracting(m -> number(m)).containsExactly(1, 2, 2, 2, 3, 4);
        assertThat(d).extracting(InboundMessage::redelivery).containsExactly(false, false, true, true, false, false);
        // #3 and #4 were in the runs that #2 failed, but never reached the application: first attempt, unflagged.
        assertThat(d).extracting(InboundMessage::attempt).containsExactly(1, 1, 2, 3, 1, 1);
        assertEventsMatchFlags(h.node("b"), d);
    }

    @Test
    void afterAReceiverRestartOnlyMessagesTheSenderHadTransmittedAreFlagged() {
        EngineHarness h = new EngineHarness("a", "b");
        DataTap tap = new DataTap();
        h.filter = tap;
        h.connect("a", "b");
        sendNumbered(h, 1, 20);
        // Run until b handed out its first run, but crash it before its cursor commit: the whole window (1..8)
        // was transmitted to it, part of it handed out.
        while (h.node("b").delivered.isEmpty()) h.tasks.poll().run();
        List<Integer> handedBeforeCrash =
                h.node("b").delivered.stream().map(m -> number(m)).toList();
        h.node("b").crash();
        h.tasks.clear(); // the frames of the old connection die with it (Transport rule 4)
        h.node("b").delivered.clear();
        h.disconnect("a", "b");
        tap.passed.clear();
        boolean[] dropped = {false};
        // After the restart, the first transmission of #13..14 is lost: it comes again flagged by the sender,
        // after #9..12 arrived unflagged (first transmissions), which proves #9 and above are fresh.
        tap.drop = d -> !dropped[0] && d.firstSeq() == 13 && (dropped[0] = true);
        h.connect("a", "b");
        for (int i = 0; i < 20 && h.node("b").delivered.size() < 20; i++) h.advance(100);

        List<InboundMessage> d = h.node("b").delivered;
        assertThat(handedBeforeCrash).isNotEmpty().allMatch(n -> n <= 8);
        assertThat(d)
                .extracting(m -> number(m))
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
        assertThat(dropped[0]).isTrue();
        assertThat(tap.passed.stream().filter(f -> f.firstSeq() == 13).flatMap(f -> f.messages().stream()))
                .allMatch(m -> m.has(Frame.Message.REDELIVERY));
        // Everything handed out before the crash is flagged; so is the rest of the old window, which the sender had
        // transmitted and the restarted receiver cannot tell apart. Nothing above it.
        assertThat(flagged(d)).containsAll(handedBeforeCrash).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertEventsMatchFlags(h.node("b"), d);
    }

    @Test
    void afterAReceiverRestartMessagesBeyondTheSendersOpenAreNotFlagged() {
        EngineHarness h = new EngineHarness("a", "b");
        DataTap tap = new DataTap();
        h.filter = tap;
        h.connect("a", "b");
        sendNumbered(h, 1, 2);
        h.run();
        h.node("b").crash();
        h.disconnect("a", "b");
        h.node("b").delivered.clear();
        tap.passed.clear();
        // From now on the first transmission of every frame is lost, so the receiver sees only flagged copies.
        java.util.Set<Long> seen = new java.util.HashSet<>();
        tap.drop = d -> seen.add(d.firstSeq());
        sendNumbered(h, 3, 3); // stored before the sender's OPEN on the new connection
        h.connect("a", "b");
        h.run();
        sendNumbered(h, 4, 5); // stored after it
        for (int i = 0; i < 20 && h.node("b").delivered.size() < 3; i++) h.advance(100);

        assertThat(h.node("b").delivered).extracting(m -> number(m)).containsExactly(3, 4, 5);
        assertThat(tap.flaggedMessages())
                .isEqualTo(
                        tap.passed.stream().mapToLong(d -> d.messages().size()).sum());
        // #3 is flagged although never handed out: the restarted receiver cannot know whether the sender had
        // transmitted it to its earlier lifetime. #4 and #5 were not even stored when the OPEN came.
        assertThat(flagged(h.node("b").delivered)).containsExactly(3);
    }

    @Test
    void aSenderRestartDoesNotFlagMessagesTheLiveReceiverNeverHandedOut() {
        EngineHarness h = new EngineHarness("a", "b");
        DataTap tap = new DataTap();
        h.filter = tap;
        h.connect("a", "b");
        sendNumbered(h, 1, 2);
        h.run();
        // Transmitted but lost (3..6), and stored but never transmitted (7..12), when the sender dies.
        tap.drop = d -> true;
        sendNumbered(h, 3, 6);
        h.run();
        h.disconnect("a", "b");
        sendNumbered(h, 7, 12);
        h.run();
        h.node("a").crash();
        h.tasks.clear();
        tap.drop = d -> false;
        h.connect("a", "b");
        h.run();

        assertThat(h.node("b").delivered)
                .extracting(m -> number(m))
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(tap.flaggedMessages())
                .as("recovered messages flagged by the sender")
                .isGreaterThanOrEqualTo(10);
        assertThat(flagged(h.node("b").delivered)).isEmpty();
        assertEventsMatchFlags(h.node("b"), h.node("b").delivered);
    }

    @Test
    void aSenderRestartDoesNotHideARedeliveryFromARestartedReceiver() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        sendNumbered(h, 1, 3);
        while (h.node("b").delivered.isEmpty()) h.tasks.poll().run();
        List<Integer> handed =
                h.node("b").delivered.stream().map(m -> number(m)).toList();
        h.node("b").crash();
        h.node("a").crash();
        h.tasks.clear();
        h.node("b").delivered.clear();
        h.disconnect("a", "b");
        h.connect("a", "b");
        h.run();

        assertThat(h.node("b").delivered).extracting(m -> number(m)).containsExactly(1, 2, 3);
        assertThat(flagged(h.node("b").delivered)).containsAll(handed);
    }

    @Test
    void aNewSenderIncarnationsMessagesAreNotRedeliveriesOfTheOldOnes() {
        EngineHarness h = new EngineHarness("a", "b");
        h.connect("a", "b");
        sendNumbered(h, 1, 3);
        h.run();
        h.node("a").wipe();
        h.disconnect("a", "b");
        h.node("b").delivered.clear();
        h.connect("a", "b");
        sendNumbered(h, 101, 102); // sequence numbers 1 and 2 again, other messages
        h.run();

        assertThat(h.node("b").delivered).extracting(m -> number(m)).containsExactly(101, 102);
        assertThat(h.node("b").delivered).extracting(InboundMessage::seq).containsExactly(1L, 2L);
        assertThat(flagged(h.node("b").delivered)).isEmpty();
    }
}
