package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.numbered;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelFullException;
import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.InvalidIdException;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Channel retention through {@link TetherNode#channelOptions} on real in-memory nodes: a log limited by count keeps
 * the newest messages, a reader that was down gets those and both it and the publisher report and count the same
 * number of missed ones; a log that rejects when full fails the publish with {@link ChannelFullException} until its
 * reader catches up. (Byte and age limits with a manual clock and across restarts: the engine's {@code
 * ChannelRetentionTest}; over TCP on SQLite files with a restarted publisher: {@code TcpChannelsTest}.)
 */
class ChannelRetentionNodesTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);
    private static final NodeId P = NodeId.of("p");
    private static final NodeId B = NodeId.of("b");

    private static List<CompletableFuture<MessageId>> publish(TetherNode n, int from, int to) {
        List<CompletableFuture<MessageId>> fs = new ArrayList<>();
        for (int i = from; i < to; i++) fs.add(n.publish(CH, utf8("m" + i)));
        return fs;
    }

    private static void stored(List<CompletableFuture<MessageId>> fs) throws Exception {
        for (CompletableFuture<MessageId> f : fs) f.get(10, TimeUnit.SECONDS);
    }

    private static void await(Cluster c, List<String> expected) {
        Await.until(
                DEADLINE,
                () -> c.payloads("b", "p", LANE).size() >= expected.size(),
                () -> "b got " + c.payloads("b", "p", LANE));
        assertThat(c.payloads("b", "p", LANE)).containsExactlyElementsOf(expected);
    }

    private static long sum(List<TetherEvent> events, Class<? extends TetherEvent> kind) {
        long n = 0;
        for (TetherEvent e : events) {
            if (e instanceof TetherEvent.ChannelMessagesMissed m && kind.isInstance(e)) n += m.count();
            if (e instanceof TetherEvent.ChannelMessagesDropped d && kind.isInstance(e)) n += d.count();
        }
        return n;
    }

    private static long missedStat(TetherNode n, NodeId peer) {
        return n.stats().streams(peer).stream()
                .filter(s -> s.lane().equals(LANE))
                .mapToLong(StreamStats::missed)
                .sum();
    }

    @Test
    void aReaderDownWhileTheLogDropsTheOldestGetsTheNewestAndBothSidesCountTheSameMissed() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = c.start("p");
            c.start("b");
            p.channelOptions(CH, ChannelOptions.unlimited().withMaxMessages(10));
            p.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            c.node("b").join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            stored(publish(p, 0, 5));
            await(c, numbered("m", 0, 5));
            c.crash("b");
            stored(publish(p, 5, 55));
            TetherNode b = c.start("b");
            List<String> expected = new ArrayList<>(numbered("m", 0, 5));
            expected.addAll(numbered("m", 45, 55));
            await(c, expected);
            Await.until(
                    DEADLINE,
                    () -> sum(c.events("p"), TetherEvent.ChannelMessagesDropped.class) == 40
                            && sum(c.events("b"), TetherEvent.ChannelMessagesMissed.class) == 40,
                    () -> "p dropped " + sum(c.events("p"), TetherEvent.ChannelMessagesDropped.class) + ", b missed "
                            + sum(c.events("b"), TetherEvent.ChannelMessagesMissed.class));
            assertThat(missedStat(p, B)).isEqualTo(40);
            assertThat(missedStat(b, P)).isEqualTo(40);
            assertThat(c.events("b"))
                    .filteredOn(e -> e instanceof TetherEvent.ChannelMessagesMissed)
                    .allSatisfy(e -> {
                        TetherEvent.ChannelMessagesMissed m = (TetherEvent.ChannelMessagesMissed) e;
                        assertThat(m.channel()).isEqualTo(CH);
                        assertThat(m.publisher()).isEqualTo(P);
                        assertThat(m.fromSeq()).isGreaterThanOrEqualTo(6); // m5 is the log's 6th
                        assertThat(m.toSeq()).isLessThanOrEqualTo(45);
                    });
            assertThat(Tether.management(p).subscribers(CH))
                    .singleElement()
                    .satisfies(s -> assertThat(s.missed()).isEqualTo(40));
        }
    }

    @Test
    void aLogThatRejectsWhenFullFailsThePublishUntilItsReaderCatchesUp() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = c.start("p");
            c.start("b");
            p.channelOptions(
                    CH, ChannelOptions.unlimited().withMaxMessages(3).whenFull(ChannelOptions.WhenFull.REJECT));
            p.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            c.node("b").join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            c.crash("b");
            stored(publish(p, 0, 3));
            CompletableFuture<MessageId> full = p.publish(CH, utf8("too many"));
            assertThatThrownBy(() -> full.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ChannelFullException.class)
                    .hasMessageContaining("channel news is full");
            c.start("b");
            await(c, numbered("m", 0, 3));
            Await.until(
                    DEADLINE,
                    () -> p.publish(CH, utf8("m3")).handle((id, e) -> e == null).join(),
                    () -> "p still full");
            assertThat(c.events("b")).noneMatch(e -> e instanceof TetherEvent.ChannelMessagesMissed);
        }
    }

    @Test
    void badOptionsAndBadChannelsAreRefused() throws Exception {
        try (Cluster c = new Cluster("p")) {
            TetherNode p = c.start("p");
            assertThatThrownBy(() -> ChannelOptions.unlimited().withMaxMessages(0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ChannelOptions.unlimited().withMaxAge(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> p.channelOptions("bad name", ChannelOptions.unlimited()))
                    .isInstanceOf(InvalidIdException.class);
            assertThatThrownBy(() -> p.channelOptions("_x", ChannelOptions.unlimited()))
                    .isInstanceOf(IllegalArgumentException.class);
            p.channelOptions(Channels.BROADCAST, ChannelOptions.unlimited().withMaxMessages(5)); // broadcast may
        }
    }
}
