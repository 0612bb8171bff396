package dev.tether.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dynamic membership over a real nats-server: nodes configured with no peers find each other by presence and
 * exchange messages, the allow-list refuses others, addPeer/removePeer at runtime.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NatsMembershipTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static NatsServerProcess server;

    private final String prefix = "membership" + PREFIXES.incrementAndGet();
    private final List<TetherNode> nodes = new CopyOnWriteArrayList<>();
    private final Map<NodeId, List<TetherEvent>> events = new ConcurrentHashMap<>();
    private final Map<NodeId, List<String>> received = new ConcurrentHashMap<>();

    @BeforeAll
    static void startServer() {
        server = NatsServerProcess.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeAll() {
        nodes.forEach(TetherNode::close);
    }

    @Test
    void nodesConfiguredWithNoPeersFindEachOtherByPresenceAndExchangeMessagesWithAll() {
        List<String> ids = List.of("n1", "n2", "n3", "n4");
        for (String id : ids) start(id, (c, t) -> c.discovery(t.discovery()));
        for (String id : ids) {
            TetherNode n = node(id);
            Await.until(
                    DEADLINE,
                    () -> n.stats().connectedPeers().size() == ids.size() - 1,
                    () -> id + " connected to all: " + n.peers());
        }
        for (String from : ids) {
            for (String to : ids) {
                if (!from.equals(to)) node(from).send(NodeId.of(to), utf8(from + ">" + to));
            }
        }
        for (String to : ids) {
            Await.until(
                    DEADLINE,
                    () -> received(NodeId.of(to)).size() == ids.size() - 1,
                    () -> to + " received from all: " + received(NodeId.of(to)));
        }
        assertThat(node("n1").peers()).extracting(PeerInfo::origin).containsOnly(PeerInfo.Origin.DISCOVERED);
        for (String id : ids) {
            assertThat(node(id).stats().connectionsRejected()).as(id).isZero();
            assertThat(node(id).stats().protocolErrors()).as(id).isZero();
        }
        // a node that leaves is lost by presence but stays known: something was exchanged with it
        node("n4").close();
        Await.until(DEADLINE, () -> !node("n1").stats().connectedPeers().contains(NodeId.of("n4")), () -> "n4 gone");
        node("n1").send(NodeId.of("n4"), utf8("kept for n4")).accepted().join();
    }

    @Test
    void theAllowListRefusesOthersOnceAndAddPeerAndRemovePeerWorkAtRuntime() {
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        TetherNode na = start("a", (c, t) -> c.allowedPeers("w-*"));
        TetherNode nb = start("b", (c, t) -> c.peers(a));
        start("w-1", (c, t) -> {});
        Await.until(DEADLINE, () -> na.stats().connectedPeers().contains(NodeId.of("w-1")), () -> "w-1 admitted at a");
        Await.until(
                DEADLINE,
                () -> rejected(a, "b is not a configured or added peer of a and matches none of its allowedPeers"),
                () -> "b refused at a: " + events.get(a));
        assertThat(na.stats().connectedPeers()).doesNotContain(b);
        assertThat(nb.stats().connectedPeers()).doesNotContain(a);
        long refusals = na.stats().connectionsRejected();
        nb.send(a, utf8("waits for admission")).accepted().join();

        na.addPeer(b);
        Await.until(DEADLINE, () -> received(a).contains("waits for admission"), () -> "b's message at a");
        assertThat(na.stats().connectionsRejected())
                .as("the refusal was reported once")
                .isEqualTo(refusals);

        na.removePeer(b);
        Await.until(DEADLINE, () -> !nb.stats().connectedPeers().contains(a), () -> "b sees a go");
        assertThatThrownBy(() -> na.send(b, utf8("x"))).isInstanceOf(UnknownPeerException.class);
        nb.send(a, utf8("while removed")).accepted().join();
        Await.until(DEADLINE, () -> rejected(a, "b was removed from a (removePeer)"), () -> "b refused again");
        assertThat(received(a)).doesNotContain("while removed");
        na.addPeer(b);
        Await.until(DEADLINE, () -> received(a).contains("while removed"), () -> "b's backlog after re-adding");
    }

    // ---- helpers

    private TetherNode start(String name, BiConsumer<TetherConfig.Builder, NatsTransport> config) {
        NodeId id = NodeId.of(name);
        NatsTransport t = NatsTransportContractTest.NatsTransports.fast(server.url())
                .prefix(prefix)
                .build();
        List<String> got = received.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
        TetherConfig.Builder b = TetherConfig.builder(id)
                .transport(t)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .maxMessageBytes(NatsNodes.MAX_MESSAGE_BYTES)
                .retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1))
                .handler(d -> got.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                .listener(events.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())::add);
        config.accept(b, t);
        TetherNode n = Tether.start(b.build());
        nodes.add(n);
        return n;
    }

    private TetherNode node(String id) {
        List<TetherNode> l = new ArrayList<>(nodes);
        for (TetherNode n : l) {
            if (n.id().value().equals(id)) return n;
        }
        throw new AssertionError("no node " + id);
    }

    private List<String> received(NodeId id) {
        return received.getOrDefault(id, List.of());
    }

    private boolean rejected(NodeId at, String reasonPart) {
        return events.get(at).stream()
                .anyMatch(e -> e instanceof TetherEvent.ConnectionRejected r
                        && r.reason().contains(reasonPart));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
