package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.fixtures.Poll;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Discovery;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel handler registered before the start ({@code TetherConfig.Builder.handleChannel}) gets the channel's
 * messages a member receives as soon as it starts: node b, a stored reader of channel {@code news}, is stopped, a
 * publishes while it is down, and b restarts on its SQLite file. a resends the messages the moment b connects, so a
 * handler registered on the running node ({@code TetherNode.handleChannel}) could come after the first of them, which
 * would then go to b's node handler or, without one, to its pull queue (where nothing reads it and the channel's
 * stream stalls behind it). With the pre-start handler every message reaches it, in order, and nothing else.
 *
 * <p>To make "after the start" too late every time, not only when it loses a race, b's start returns only once the
 * first message reached the application ({@link FirstMessageGate}, a discovery: the node starts its discoveries last,
 * on the caller's thread, after its node thread runs and its peers are dialled). A handler installed after the node
 * connected, even right after, would miss it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChannelHandlerBeforeStartTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String CH = "news";
    private static final int WAITING = 200;

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<TetherNode> nodes = new ArrayList<>();
    private final List<String> onChannel = new CopyOnWriteArrayList<>();
    private final List<String> onNode = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        for (TetherNode n : nodes) n.shutdown(Duration.ofSeconds(5));
    }

    private TetherNode start(NodeId self, NodeId peer, UnaryOperator<TetherConfig.Builder> more) {
        TetherNode n = Tether.start(more.apply(TetherConfig.builder(self)
                        .peers(peer)
                        .transport(network.newTransport())
                        .store(new SqliteStore(dir.resolve(self.value() + ".db")))
                        .durability(Durability.FSYNC))
                .build());
        nodes.add(n);
        return n;
    }

    /**
     * A discovery that discovers nothing: its start, the last step of {@code Tether.start}, waits until {@code
     * firstRouted} holds (or 20 s passed, when the first message went where this test cannot see it: the pull queue).
     */
    private record FirstMessageGate(BooleanSupplier firstRouted) implements Discovery {
        @Override
        public void start(NodeId self, Listener listener) {
            Poll.until(Duration.ofSeconds(20), Duration.ofMillis(5), firstRouted);
        }

        @Override
        public void close() {}
    }

    private final MessageHandler channelHandler = d -> onChannel.add(text(d.payloadBytes()));
    private final MessageHandler nodeHandler = d -> onNode.add(text(d.payloadBytes()));

    /**
     * Makes b a reader of the channel, stops it, has a publish {@link #WAITING} messages while b is down and returns
     * them: b's restart finds them waiting at a.
     */
    private List<String> readerStoppedWithMessagesWaiting(TetherNode a) throws Exception {
        TetherNode b = start(B, A, c -> c);
        b.join(CH, ChannelRole.READ).get(60, TimeUnit.SECONDS);
        a.join(CH, ChannelRole.WRITE).get(60, TimeUnit.SECONDS);
        b.shutdown(Duration.ofSeconds(5));
        nodes.remove(b);
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<?>> stored = new ArrayList<>();
        for (int i = 0; i < WAITING; i++) {
            sent.add("m" + i);
            stored.add(a.publish(CH, ("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return sent;
    }

    @Test
    void everyMessageWaitingForARestartedMemberGoesToItsPreStartChannelHandlerNoneToItsNodeHandler() throws Exception {
        TetherNode a = start(A, B, c -> c);
        List<String> sent = readerStoppedWithMessagesWaiting(a);

        start(
                B,
                A,
                c -> c.handler(nodeHandler)
                        .handleChannel(CH, channelHandler)
                        .discovery(new FirstMessageGate(() -> !onChannel.isEmpty() || !onNode.isEmpty())));

        Await.until(
                DEADLINE,
                () -> onChannel.size() + onNode.size() >= WAITING,
                () -> "channel handler got " + onChannel.size() + ", node handler " + onNode.size());
        assertThat(onChannel).isEqualTo(sent);
        assertThat(onNode)
                .as("the node handler got none of the channel's messages")
                .isEmpty();
    }

    @Test
    void withoutANodeHandlerNoneGoesToThePullQueueWhereItWouldStallTheChannel() throws Exception {
        TetherNode a = start(A, B, c -> c);
        List<String> sent = readerStoppedWithMessagesWaiting(a);

        TetherNode b = start(
                B,
                A,
                c -> c.handleChannel(CH, channelHandler).discovery(new FirstMessageGate(() -> !onChannel.isEmpty())));

        // A message in the pull queue would stay unsettled there and hold back every later one of a's stream.
        Await.until(DEADLINE, () -> onChannel.size() >= WAITING, () -> "channel handler got " + onChannel.size());
        assertThat(onChannel).isEqualTo(sent);
        assertThat(b.receive(Duration.ZERO)).as("the pull queue is empty").isNull();
        a.publish(CH, "after".getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
        Await.until(DEADLINE, () -> onChannel.contains("after"), () -> "channel handler got " + onChannel.size());
        assertThat(b.receive(Duration.ZERO)).as("the pull queue is empty").isNull();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
