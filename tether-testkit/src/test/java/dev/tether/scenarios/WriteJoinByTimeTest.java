package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelAccess;
import dev.tether.ChannelRole;
import dev.tether.ChannelStart;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.management.SubscriberStatus;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A join with a start by time ({@code ChannelStart.fromTime}) as {@code WRITE} makes the joiner no reader, as any
 * {@code WRITE} join: the start only says where a reader starts. (It once looked the position up in the log and added
 * the joiner as a reader whatever its role, past the channel's readers list too.) A {@code join} completes once each
 * peer took care of it, so the publisher's readers are checked right after it, without waiting for a non-event.
 */
class WriteJoinByTimeTest {
    private static final String CH = "news";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void aWriteJoinByTimeIsNoReader() throws Exception {
        try (Cluster c = new Cluster("a", "b", "r")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            c.start("r")
                    .join(CH, ChannelRole.READ, ChannelStart.fromTime(Instant.EPOCH))
                    .get(10, TimeUnit.SECONDS);
            a.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            b.join(CH, ChannelRole.WRITE, ChannelStart.fromTime(Instant.EPOCH)).get(10, TimeUnit.SECONDS);
            assertThat(readersAt(a)).containsExactly(NodeId.of("r"));
            a.publish(CH, utf8("m1")).get(10, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> c.payloads("r", "a", Channels.lane(CH)).contains("m1"), () -> "r gets m1");
            assertThat(c.payloads("b", "a", Channels.lane(CH))).isEmpty();
        }
    }

    @Test
    void aReaderThatJoinsAgainAsWriteByTimeIsNoReaderAnyMore() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            a.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            b.join(CH, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            assertThat(readersAt(a)).containsExactly(NodeId.of("b"));
            b.join(CH, ChannelRole.WRITE, ChannelStart.fromTime(Instant.EPOCH)).get(10, TimeUnit.SECONDS);
            assertThat(readersAt(a)).isEmpty();
        }
    }

    @Test
    void aWriteJoinByTimePassesNoReadersList() throws Exception {
        ChannelAccess access = ChannelAccess.anyone().withReaders("r").withWriters("a", "b");
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            a.channelAccess(CH, access);
            b.channelAccess(CH, access);
            a.join(CH, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            b.join(CH, ChannelRole.WRITE, ChannelStart.fromTime(Instant.EPOCH)).get(10, TimeUnit.SECONDS);
            assertThat(readersAt(a)).isEmpty();
        }
    }

    private static List<NodeId> readersAt(TetherNode publisher) {
        return Tether.management(publisher).subscribers(CH).stream()
                .map(SubscriberStatus::reader)
                .toList();
    }
}
