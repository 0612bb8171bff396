package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.ChannelStats;
import dev.tether.InvalidIdException;
import dev.tether.MessageId;
import dev.tether.TetherNode;
import dev.tether.bus.Endpoint;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code TetherNode.channelStats} (docs/MESSAGING.md, "Channel statistics"): each channel's counters apart, at the
 * publisher (published, held, refused, waiting, readers) and at the reader (delivered, its endpoints and their
 * copies), adding up to the node's totals.
 */
class ChannelStatsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void eachChannelCountsItsOwnPublishesRefusalsWaitersAndDeliveries() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = c.start("p");
            TetherNode b = c.start("b");
            p.channelOptions(
                    "news", ChannelOptions.unlimited().withMaxMessages(2).whenFull(ChannelOptions.WhenFull.REJECT));
            p.channelOptions(
                    "slow", ChannelOptions.unlimited().withMaxMessages(1).blockFor(DEADLINE));
            for (String ch : List.of("news", "slow", "sports")) {
                p.join(ch, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
                b.join(ch, ChannelRole.READ).get(10, TimeUnit.SECONDS);
            }
            List<String> atE1 = new CopyOnWriteArrayList<>();
            Endpoint e1 = Tether.bus(b).endpoint("e1", d -> atE1.add(d.channel()));
            Tether.bus(b)
                    .endpoint("e2", d -> {})
                    .join("sports", ChannelRole.READ_WRITE)
                    .get(10, TimeUnit.SECONDS);
            e1.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
            c.crash("b"); // p's logs fill: nobody reads them
            p.publish("news", utf8("n0")).get(10, TimeUnit.SECONDS);
            p.publish("news", utf8("n1")).get(10, TimeUnit.SECONDS);
            assertThat(p.offerPublish("news", Map.of(), utf8("n2")).taken()).isFalse();
            for (int i = 0; i < 3; i++) p.publish("sports", utf8("s" + i)).get(10, TimeUnit.SECONDS);
            p.publish("slow", utf8("w0")).get(10, TimeUnit.SECONDS);
            CompletableFuture<MessageId> waiting = new CompletableFuture<>();
            Thread t = new Thread(() -> p.publish("slow", utf8("w1")).whenComplete((id, e) -> {
                if (e != null) waiting.completeExceptionally(e);
                else waiting.complete(id);
            }));
            t.start();
            Await.until(DEADLINE, () -> p.channelStats("slow").blockedPublishes() == 1, () -> "" + p.channelStats());

            ChannelStats news = p.channelStats("news");
            assertThat(news.role()).isEqualTo(ChannelRole.WRITE);
            assertThat(news.readers()).isEqualTo(1);
            assertThat(news.published()).isEqualTo(2);
            assertThat(news.held()).isEqualTo(2);
            assertThat(news.publishesRejected()).isEqualTo(1);
            assertThat(news.rejectedByLog()).isZero();
            assertThat(news.blockedPublishes()).isZero();
            ChannelStats sports = p.channelStats("sports");
            assertThat(sports.published()).isEqualTo(3);
            assertThat(sports.publishesRejected()).isZero();
            assertThat(p.channelStats("slow").published()).isEqualTo(1);
            long rejected = p.channelStats().stream()
                    .mapToLong(ChannelStats::publishesRejected)
                    .sum();
            assertThat(rejected).isEqualTo(p.stats().publishesRejected()).isEqualTo(1);
            assertThat(p.stats().blockedPublishes()).isEqualTo(1);

            readsEverythingAfterARestart(c, waiting);
        }
    }

    /** b starts again and reads everything: the waiting publisher gets its room, b counts what it delivered. */
    private static void readsEverythingAfterARestart(Cluster c, CompletableFuture<MessageId> waiting) throws Exception {
        TetherNode p = c.node("p");
        List<String> atE1 = new CopyOnWriteArrayList<>();
        TetherNode b2 = c.start("b"); // reads everything: the waiting publisher gets its room
        waiting.get(30, TimeUnit.SECONDS);
        Tether.bus(b2).endpoint("e1", d -> atE1.add(d.channel())); // non-durable: joins again
        Tether.bus(b2).find("e1").orElseThrow().join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
        Await.until(
                DEADLINE,
                () -> b2.channelStats("slow").delivered() == 2
                        && b2.channelStats("sports").delivered() == 3
                        && b2.channelStats("news").delivered() == 2,
                () -> "" + b2.channelStats());
        ChannelStats atB = b2.channelStats("news");
        assertThat(atB.role()).isEqualTo(ChannelRole.READ);
        assertThat(atB.endpoints()).containsExactly(Map.entry("e1", ChannelRole.READ));
        assertThat(atB.published()).isZero();
        assertThat(atB.missed()).isZero();
        assertThat(p.channelStats("news").held()).isLessThanOrEqualTo(2);
        assertThat(p.channelStats("slow").published()).isEqualTo(2);
    }

    @Test
    void endpointCopiesAreCountedPerChannelAndAnUnknownChannelIsAllZero() throws Exception {
        try (Cluster c = new Cluster("p", "b")) {
            TetherNode p = c.start("p");
            TetherNode b = c.start("b");
            p.join("news", ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            p.join("sports", ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
            List<String> got = new CopyOnWriteArrayList<>();
            for (String name : List.of("e1", "e2")) {
                Tether.bus(b)
                        .endpoint(name, d -> got.add(name + ":" + d.channel()))
                        .join("news", ChannelRole.READ)
                        .get(10, TimeUnit.SECONDS);
            }
            Tether.bus(b)
                    .find("e2")
                    .orElseThrow()
                    .join("sports", ChannelRole.READ)
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) p.publish("news", utf8("n" + i)).get(10, TimeUnit.SECONDS);
            p.publish("sports", utf8("s")).get(10, TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> got.size() == 7, () -> "endpoints got " + got);
            ChannelStats news = b.channelStats("news");
            assertThat(news.endpointCopies()).isEqualTo(6);
            assertThat(news.endpoints())
                    .containsExactly(Map.entry("e1", ChannelRole.READ), Map.entry("e2", ChannelRole.READ));
            assertThat(news.role()).isEqualTo(ChannelRole.READ); // joined for its endpoints
            assertThat(news.delivered()).isEqualTo(3);
            assertThat(b.channelStats("sports").endpointCopies()).isEqualTo(1);
            assertThat(p.channelStats("news").readers()).isEqualTo(1);
            ChannelStats none = b.channelStats("nothing");
            assertThat(none.role()).isNull();
            assertThat(none.published() + none.delivered() + none.readers()).isZero();
            assertThat(b.channelStats()).extracting(ChannelStats::channel).doesNotContain("nothing");
            assertThatThrownBy(() -> b.channelStats("bad name")).isInstanceOf(InvalidIdException.class);
        }
    }
}
