package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelRole;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.management.ChannelStatus;
import dev.tether.management.NodeManagement;
import dev.tether.management.SubscriberStatus;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Channels in the management model (issue 10 item 5): a publisher's channels, its readers, their cursors and backlog. */
class ChannelManagementTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    @Test
    void aPublisherSeesItsReadersCursorsAndTheBacklogOfOneThatIsDown() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            TetherNode cn = c.start("c");
            NodeManagement m = Tether.management(a);
            assertThat(m.channels()).isEmpty();
            b.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
            cn.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
            a.join("news", ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            for (int i = 1; i <= 3; i++) a.publish("news", utf8("m" + i)).get(10, TimeUnit.SECONDS);
            Await.until(
                    DEADLINE,
                    () -> m.subscribers("news").stream().allMatch(s -> s.cursor() == 3),
                    () -> "both readers at 3: " + m.subscribers("news"));

            c.crash("c");
            Await.until(DEADLINE, () -> !subscriber(m, C).connected(), () -> "c down: " + m.subscribers("news"));
            for (int i = 4; i <= 5; i++) a.publish("news", utf8("m" + i)).get(10, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> subscriber(m, B).cursor() == 5, () -> "b at 5: " + m.subscribers("news"));

            assertThat(m.subscribers("news"))
                    .containsExactly(new SubscriberStatus(B, true, 5, 0, 0), new SubscriberStatus(C, false, 3, 2, 0));
            List<ChannelStatus> channels = m.channels();
            assertThat(channels).hasSize(1);
            assertThat(channels.get(0).channel()).isEqualTo("news");
            assertThat(channels.get(0).role()).isEqualTo(ChannelRole.WRITE);
            assertThat(channels.get(0).lastSeq()).isEqualTo(5);
            assertThat(channels.get(0).readers())
                    .extracting(SubscriberStatus::reader)
                    .containsExactly(B, C);
            assertThat(m.topology().channels()).containsExactly("news:WRITE");
            assertThat(Tether.management(b).channels())
                    .singleElement()
                    .satisfies(s -> assertThat(s.role()).isEqualTo(ChannelRole.READ))
                    .satisfies(s -> assertThat(s.lastSeq()).isZero());
            assertThat(m.subscribers("other")).isEmpty();
            assertThatThrownBy(() -> m.subscribers("no spaces")).isInstanceOf(InvalidIdException.class);
        }
    }

    private static SubscriberStatus subscriber(NodeManagement m, NodeId reader) {
        return m.subscribers("news").stream()
                .filter(s -> s.reader().equals(reader))
                .findFirst()
                .orElseThrow();
    }
}
