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
 * A channel between three nodes over a real nats-server that is killed and restarted mid-stream: both readers get
 * every message published after their join, in order, once, also those published while the server was down.
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
