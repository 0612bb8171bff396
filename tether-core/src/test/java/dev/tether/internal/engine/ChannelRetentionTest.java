package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Retention of a channel log (docs/CHANNELS-DESIGN.md, section 4): limits by count, bytes and age, dropping the oldest
 * or rejecting publishes; a reader that had not taken what was dropped gets DROPPED markers and reports exactly those
 * missed, and its publisher counts the same number; a reader that joins again after a leave is told of nothing. Driven
 * by hand through {@link EngineHarness} with its manual clock, no waiting.
 */
class ChannelRetentionTest {
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);
    private static final NodeId P = NodeId.of("p");
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private static EngineHarness readersAB(ChannelOptions options) {
        EngineHarness h = new EngineHarness("p", "a", "b");
        h.connect("p", "a");
        h.connect("p", "b");
        h.node("p").input(e -> e.channelOptions(h.now, CH, options));
        for (NodeId r : List.of(A, B)) h.node("p").input(e -> e.addReader(h.now, CH, r, Engine.LOG_END));
        h.run();
        return h;
    }

    private static List<Long> publish(EngineHarness h, int from, int to, String prefix) {
        List<Long> tokens = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            tokens.add(h.node("p").publish(CH, prefix + i));
            h.run(); // a connected reader takes each before the next: only one away misses any
        }
        return tokens;
    }

    private static List<String> expected(String prefix, int from, int to) {
        List<String> l = new ArrayList<>();
        for (int i = from; i <= to; i++) l.add(prefix + i);
        return l;
    }

    private static ChannelLog log(EngineHarness h) {
        return h.node("p").store.readChannels().logs().stream()
                .filter(l -> l.channel().equals(CH))
                .findFirst()
                .orElseThrow();
    }

    /** What reader {@code r} reported missed, summed over its events. */
    private static long missedAtReader(EngineHarness h, String r) {
        return h.node(r).events.stream()
                .filter(e -> e instanceof TetherEvent.ChannelMessagesMissed)
                .map(e -> (TetherEvent.ChannelMessagesMissed) e)
                .peek(e -> assertThat(e.channel()).isEqualTo(CH))
                .peek(e -> assertThat(e.publisher()).isEqualTo(P))
                .mapToLong(TetherEvent.ChannelMessagesMissed::count)
                .sum();
    }

    /** What the publisher counted dropped for reader {@code r}, summed over its events. */
    private static long droppedAtPublisher(EngineHarness h, NodeId r) {
        return h.node("p").events.stream()
                .filter(e -> e instanceof TetherEvent.ChannelMessagesDropped d
                        && d.reader().equals(r))
                .mapToLong(e -> ((TetherEvent.ChannelMessagesDropped) e).count())
                .sum();
    }

    private static StreamStats stream(EngineHarness h, String node, NodeId peer, StreamStats.Direction d) {
        return h.node(node).engine.streamStats().stream()
                .filter(s -> s.lane().equals(LANE) && s.peer().equals(peer) && s.direction() == d)
                .findFirst()
                .orElseThrow();
    }

    private static void assertMissedBothSides(EngineHarness h, String reader, long n) {
        NodeId r = NodeId.of(reader);
        assertThat(missedAtReader(h, reader)).isEqualTo(n);
        assertThat(droppedAtPublisher(h, r)).isEqualTo(n);
        assertThat(stream(h, reader, P, StreamStats.Direction.INBOUND).missed()).isEqualTo(n);
        assertThat(stream(h, "p", r, StreamStats.Direction.OUTBOUND).missed()).isEqualTo(n);
    }

    @Test
    void dropOldestByCountKeepsTheNewestAndAnAwayReaderMissesExactlyTheRestBothSidesCounting() {
        EngineHarness h = readersAB(ChannelOptions.unlimited().withMaxMessages(5));
        h.disconnect("p", "b");
        publish(h, 1, 20, "m");
        ChannelLog log = log(h);
        assertThat(log.retainedMessages()).isEqualTo(5);
        assertThat(h.node("p").store.readChannel(CH, 1, 100))
                .extracting(ChannelMessage::seq)
                .containsExactly(16L, 17L, 18L, 19L, 20L);
        assertThat(h.node("a").payloads()).containsExactlyElementsOf(expected("m", 1, 20)); // a kept up

        h.connect("p", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(expected("m", 16, 20));
        assertThat(h.node("b").delivered).extracting(InboundMessage::seq).containsExactly(16L, 17L, 18L, 19L, 20L);
        assertMissedBothSides(h, "b", 15);
        assertMissedBothSides(h, "a", 0);
        List<Long> missedSeqs = new ArrayList<>(); // the events name exactly what was missed, in order
        for (TetherEvent e : h.node("b").events) {
            if (e instanceof TetherEvent.ChannelMessagesMissed m) {
                for (long seq = m.fromSeq(); seq <= m.toSeq(); seq++) missedSeqs.add(seq);
            }
        }
        assertThat(missedSeqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(h.node("b").events).noneMatch(e -> e instanceof TetherEvent.Resync);
        assertThat(log(h).readers()).allSatisfy(r -> assertThat(r.ackedSeq()).isEqualTo(20));
    }

    @Test
    void aReaderBehindTheTrimKeepsItsRowSoARestartedPublisherStillTellsItWhatItMissed() {
        EngineHarness h = readersAB(ChannelOptions.unlimited().withMaxMessages(3));
        h.disconnect("p", "b");
        publish(h, 1, 10, "m");
        assertThat(log(h).readers().stream()
                        .filter(r -> r.reader().equals(B))
                        .findFirst()
                        .orElseThrow()
                        .ackedSeq())
                .isZero(); // below trimmedSeq: what it missed is known from the store
        h.node("p").crash();
        h.connect("p", "a");
        h.connect("p", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(expected("m", 8, 10));
        assertMissedBothSides(h, "b", 7);
    }

    @Test
    void aReaderThatLeftAndJoinsAgainIsToldOfNothingMissed() {
        EngineHarness h = readersAB(ChannelOptions.unlimited().withMaxMessages(2));
        publish(h, 1, 3, "m");
        h.node("p").input(e -> e.removeReader(h.now, CH, B));
        publish(h, 4, 10, "m"); // b is no reader: nothing of this is b's
        h.node("p").input(e -> e.addReader(h.now, CH, B, Engine.LOG_END));
        h.run();
        publish(h, 11, 12, "m");
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(List.of("m1", "m2", "m3", "m11", "m12"));
        assertMissedBothSides(h, "b", 0);
        assertThat(h.node("b").events).noneMatch(e -> e instanceof TetherEvent.Resync);
    }

    @Test
    void rejectRefusesWhatWouldExceedTheCountStoresNothingOfItAndFreesRoomAsReadersCatchUp() {
        EngineHarness h =
                readersAB(ChannelOptions.unlimited().withMaxMessages(3).whenFull(ChannelOptions.WhenFull.REJECT));
        h.disconnect("p", "b");
        List<Long> tokens = publish(h, 1, 5, "m");
        assertThat(h.node("p").accepted).containsKeys(tokens.get(0), tokens.get(1), tokens.get(2));
        for (long t : tokens.subList(3, 5)) {
            assertThat(h.node("p").rejected.get(t))
                    .isInstanceOf(ChannelFullException.class)
                    .hasMessageContaining("channel news is full");
        }
        assertThat(log(h).lastSeq()).isEqualTo(3); // nothing of the rejected ones stored, no number used
        // {stored by this process, held, refused by the log's own check} as channel statistics show them
        assertThat(h.node("p").engine.logCounts().get(CH)).containsExactly(3, 3, 2);
        h.connect("p", "b");
        h.run();
        List<Long> later = publish(h, 6, 7, "m");
        assertThat(h.node("p").accepted).containsKeys(later.toArray(Long[]::new));
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(List.of("m1", "m2", "m3", "m6", "m7"));
        assertMissedBothSides(h, "b", 0);
        assertThat(h.node("p").engine.logCounts().get(CH)[0]).isEqualTo(5);
        assertThat(h.node("p").engine.logCounts().get(CH)[2]).isEqualTo(2);
    }

    @Test
    void rejectCountsBytesToo() {
        EngineHarness h =
                readersAB(ChannelOptions.unlimited().withMaxBytes(10).whenFull(ChannelOptions.WhenFull.REJECT));
        h.disconnect("p", "b");
        List<Long> tokens = publish(h, 1, 4, "abc"); // 4 bytes each: two fit in 10
        assertThat(h.node("p").accepted).containsOnlyKeys(tokens.get(0), tokens.get(1));
        assertThat(h.node("p").rejected).containsOnlyKeys(tokens.get(2), tokens.get(3));
        assertThat(log(h).retainedBytes()).isEqualTo(8);
    }

    @Test
    void dropOldestByBytesKeepsTheNewestThatFit() {
        EngineHarness h = readersAB(ChannelOptions.unlimited().withMaxBytes(10));
        h.disconnect("p", "b");
        publish(h, 1, 9, "abc"); // 4 bytes each: two fit in 10
        assertThat(log(h).retainedMessages()).isEqualTo(2);
        assertThat(log(h).retainedBytes()).isEqualTo(8);
        h.connect("p", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("abc8", "abc9");
        assertMissedBothSides(h, "b", 7);
    }

    @Test
    void messagesOlderThanTheAgeLimitGoOnTheTickEvenWithoutPublishes() {
        EngineHarness h = readersAB(ChannelOptions.unlimited().withMaxAge(Duration.ofSeconds(1)));
        h.disconnect("p", "b");
        publish(h, 1, 3, "old");
        h.advance(500);
        publish(h, 1, 2, "new");
        h.advance(499); // the old ones are 999 ms old
        assertThat(log(h).retainedMessages()).isEqualTo(5);
        h.advance(1); // 1000 ms
        assertThat(log(h).retainedMessages()).isEqualTo(2);
        h.connect("p", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("new1", "new2");
        assertMissedBothSides(h, "b", 3);
        h.advance(1000);
        assertThat(log(h).retainedMessages()).isZero();
        assertThat(log(h).lastSeq()).isEqualTo(5);
    }

    @Test
    void byteAndAgeLimitsHoldAfterARestartFromTheStoredSizesAndTimes() {
        EngineHarness h = readersAB(ChannelOptions.unlimited());
        h.disconnect("p", "b");
        publish(h, 1, 4, "abc"); // 4 bytes each, kept: no limits yet
        h.advance(600);
        publish(h, 5, 6, "abc");
        h.node("p").crash();
        h.node("p")
                .input(e ->
                        e.channelOptions(h.now, CH, ChannelOptions.unlimited().withMaxBytes(16)));
        h.run();
        assertThat(log(h).retainedMessages()).isEqualTo(4); // 16 bytes: what the store said each one holds
        assertThat(log(h).trimmedSeq()).isEqualTo(2);
        h.node("p")
                .input(e ->
                        e.channelOptions(h.now, CH, ChannelOptions.unlimited().withMaxAge(Duration.ofMillis(500))));
        h.run();
        assertThat(log(h).trimmedSeq()).isEqualTo(4); // 3 and 4 were published 600 ms ago, 5 and 6 now
        h.connect("p", "b");
        h.run();
        assertThat(h.node("b").payloads()).containsExactly("abc5", "abc6");
        assertMissedBothSides(h, "b", 4);
    }

    @Test
    void aReaderThatHasTheMessagesAlreadyMissesNothingWhenTheyAreDroppedBeforeItsAcknowledgment() {
        EngineHarness h = readersAB(ChannelOptions.unlimited().withMaxMessages(2));
        h.node("b").hold.add(1L); // b's application takes its time with the first run
        publish(h, 1, 6, "m");
        assertThat(log(h).trimmedSeq()).isEqualTo(4); // beyond b's cursor (0)
        h.node("b").release();
        h.run();
        h.advance(200);
        // b had them all buffered when they were dropped: it processes them, nothing was missed on either side
        assertThat(h.node("b").payloads()).containsExactlyElementsOf(expected("m", 1, 6));
        assertMissedBothSides(h, "b", 0);
    }
}
