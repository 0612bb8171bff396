package dev.tether.transport.nats;

import static dev.tether.transport.nats.NatsNodes.numbered;
import static dev.tether.transport.nats.NatsNodes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.MessageId;
import dev.tether.TetherNode;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Channels over a real nats-server that is killed and restarted mid-stream (and, in one case, not running yet when
 * the nodes start): every reader gets every message published after its join, in order, once, also those published
 * while the server was down.
 */
class NatsChannelsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CH = "news";
    private static final String LANE = Channels.lane(CH);

    @Test
    void readersGetEveryPublishInOrderOnceThroughAServerOutage() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.start();
                NatsNodes c = new NatsNodes("channels", "p", "a", "b")) {
            TetherNode p = c.start("p", List.of(server.url()));
            TetherNode a = c.start("a", List.of(server.url()));
            TetherNode b = c.start("b", List.of(server.url()));
            p.join(CH, ChannelRole.WRITE).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            a.join(CH, ChannelRole.READ).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            b.join(CH, ChannelRole.READ).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            publish(p, 0, 200);
            await(c, "a", 200);
            server.kill();
            Await.until(WAIT, () -> !c.connected("p", "a") && !c.connected("p", "b"), () -> "the outage seen");
            publish(p, 200, 400); // stored in p's log while no reader can be reached
            server.restart();
            publish(p, 400, 500);
            for (String r : List.of("a", "b")) {
                await(c, r, 500);
                assertThat(c.payloads(r, "p", LANE)).as(r).containsExactlyElementsOf(numbered("m", 0, 500));
            }
        }
    }

    /**
     * The old system's scenarios with a channel (issue 10 item 7): four nodes started before their nats-server exists,
     * joins made then, and 1,000 publishes with the server killed and restarted in the middle: each of the three
     * readers gets all of them, in order, once.
     */
    @Test
    void fourNodesStartedBeforeTheServerGetAThousandPublishesThroughAnOutage() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.builder().build();
                NatsNodes c = new NatsNodes("channels4", "p", "a", "b", "c")) {
            List<String> readers = List.of("a", "b", "c");
            TetherNode p = c.start("p", List.of(server.url()));
            List<CompletableFuture<Void>> joins = new ArrayList<>();
            for (String r : readers) joins.add(c.start(r, List.of(server.url())).join(CH, ChannelRole.READ));
            CompletableFuture<Void> writer = p.join(CH, ChannelRole.WRITE);
            assertThat(writer).isNotDone(); // no peer can be told before the server runs
            server.restart();
            for (CompletableFuture<Void> j : joins) j.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            publish(p, 0, 300);
            server.kill();
            publish(p, 300, 700); // stored in p's log; readers may have taken part of the first 300
            server.restart();
            publish(p, 700, 1000);
            for (String r : readers) {
                await(c, r, 1000);
                assertThat(c.payloads(r, "p", LANE)).as(r).containsExactlyElementsOf(numbered("m", 0, 1000));
            }
        }
    }

    private static void publish(TetherNode p, int from, int to) throws Exception {
        List<CompletableFuture<MessageId>> fs = new ArrayList<>();
        for (int i = from; i < to; i++) fs.add(p.publish(CH, utf8("m" + i)));
        for (CompletableFuture<MessageId> f : fs) f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void await(NatsNodes c, String reader, int n) {
        Await.until(
                WAIT,
                () -> c.payloads(reader, "p", LANE).size() >= n,
                () -> reader + " got " + c.payloads(reader, "p", LANE).size() + " of " + n);
    }
}
